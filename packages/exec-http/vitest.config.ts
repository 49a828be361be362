import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // the end-to-end files start servers (local S3, functions-framework, workerd): one file at a time
    fileParallelism: false,
  },
});
