import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // the end-to-end files start servers and Lambda containers (child processes): one file at a time
    fileParallelism: false,
    setupFiles: ["test/helpers/polyfill.ts"],
  },
});
