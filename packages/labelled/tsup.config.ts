import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/kernels.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/kernels.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
