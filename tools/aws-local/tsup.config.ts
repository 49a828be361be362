import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/polyfill.ts", "src/server.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/polyfill.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
