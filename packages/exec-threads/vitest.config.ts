import { defineConfig } from "vitest/config";

// The package's own tests, plus core's whole suite re-run with ThreadsExecutor as the default
// executor (see test/setup-threads.ts): results must equal the in-process executor's. The
// measured-memory tests are left to core's own run: they time one task per child process with
// their own executor, so the default executor plays no part, and a threads pool in the same
// test process only adds noise to their margins.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "../core/test/**/*.test.ts"],
    exclude: ["../core/test/memory-model.test.ts", "../core/test/memory-api.test.ts", "**/node_modules/**"],
    setupFiles: ["test/setup-threads.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
