import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/worker-entry.ts", "src/node.ts", "src/gcf.ts", "src/local.ts"],
  format: ["esm"],
  // types for every entry, including the workerd bundle's (its JavaScript is built by scripts/build-workerd.mjs)
  dts: { entry: ["src/index.ts", "src/worker-entry.ts", "src/node.ts", "src/gcf.ts", "src/local.ts", "src/workerd.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
