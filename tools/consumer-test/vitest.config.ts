import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // packing, npm install and tsc take tens of seconds on a loaded 2-core machine
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    // the two suites each run tsc and worker threads: one at a time
    fileParallelism: false,
  },
});
