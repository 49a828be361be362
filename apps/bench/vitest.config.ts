import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // the sweep test times 1- and 2-worker runs against each other, and the AWS test starts servers and
    // Lambda containers: one file at a time, so they do not slow each other down
    fileParallelism: false,
  },
});
