import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/worker-entry.ts", "src/node.ts", "src/gcf.ts", "src/local.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
