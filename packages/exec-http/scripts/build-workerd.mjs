#!/usr/bin/env node
// Builds dist/workerd/worker.mjs: the Cloudflare Workers entry (src/workerd.ts) bundled with core,
// the S3 store and the AWS S3 client's fetch runtime into one ES module for workerd (nodejs_compat
// provides the node: modules core imports). The expression primitives are generated here, since
// the Workers runtime cannot generate code at run time.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { exprPrimitivesSource } from "@cubed-ts/core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "workerd");
mkdirSync(out, { recursive: true });
const prims = join(out, "expr-primitives.mjs");
writeFileSync(prims, exprPrimitivesSource());
const result = await build({
  entryPoints: [join(root, "src", "workerd.ts")],
  outfile: join(out, "worker.mjs"),
  bundle: true,
  format: "esm",
  platform: "browser",
  conditions: ["workerd", "worker", "browser"],
  target: "es2022",
  external: ["node:*"],
  plugins: [
    {
      // dist files of the workspace packages import Node built-ins without the node: prefix
      name: "node-builtins",
      setup(b) {
        const names = new Set(builtinModules);
        b.onResolve({ filter: /^[a-z_/0-9]+$/ }, (args) => (names.has(args.path) ? { path: `node:${args.path}`, external: true } : undefined));
      },
    },
  ],
  alias: { "cubed:expr-primitives": prims },
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`dist/workerd/worker.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
