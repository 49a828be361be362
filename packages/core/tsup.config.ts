import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/runtime/task-worker.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/runtime/task-worker.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
