import { defineConfig } from "vitest/config";

// The package's own tests, plus core's whole suite re-run with ThreadsExecutor as the default
// executor (see test/setup-threads.ts): results must equal the in-process executor's.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "../core/test/**/*.test.ts"],
    exclude: ["../core/test/memory-model.test.ts", "**/node_modules/**"],
    setupFiles: ["test/setup-threads.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
