// Object count of the quadratic-means outputs written with and without Zarr v3 shards.
// Usage (after pnpm build): node scripts/shard-object-count.mjs [t ...]   (default: 10 20); see docs/benchmarks.md
// u, v: random float64 (t, 1, 987, 1920) in chunks (10, 1, 141, 240); the outputs mean(u*u),
// mean(v*v), mean(u*v) over axis 0 are (1, 987, 1920) in chunks (1, 987/7, 1920/8) = (1, 141, 240).
// Each output is written with toZarr unsharded, then with shards (1, 987, 1920); the script
// counts the objects (files other than zarr.json) each run leaves, and the op's task count.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spec, mean, multiply, random, toZarr } from "@cubed-ts/core";

function objects(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) n += objects(p);
    else if (name !== "zarr.json") n += 1;
  }
  return n;
}

const ts = process.argv.slice(2).map(Number);
const root = mkdtempSync(join(tmpdir(), "shard-count-"));
const spec = new Spec({ workDir: join(root, "work"), allowedMem: "2GB", reservedMem: "100MB" });
try {
  for (const t of ts.length ? ts : [10, 20]) {
    const chunks = [10, 1, 141, 240];
    const u = random.random([t, 1, 987, 1920], { chunks, seed: 1, spec });
    const v = random.random([t, 1, 987, 1920], { chunks, seed: 2, spec });
    const outs = { uu: mean(multiply(u, u), { axis: 0 }), vv: mean(multiply(v, v), { axis: 0 }), uv: mean(multiply(u, v), { axis: 0 }) };
    for (const shards of [undefined, [1, 987, 1920]]) {
      let count = 0;
      let tasks = 0;
      const start = Date.now();
      for (const [name, x] of Object.entries(outs)) {
        const url = join(root, `${name}-${shards ? "sharded" : "plain"}-${t}.zarr`);
        await toZarr(x, url, {
          ...(shards ? { shards } : {}),
          callbacks: [{ onComputeStart: (e) => { tasks += Object.values(e.plan.ops).find((o) => o.outputs.some((id) => e.plan.arrays[id].source.role === "output")).stats.numTasks; } }],
        });
        count += objects(url);
      }
      console.log(JSON.stringify({ t, output: "3 × (987, 1920) chunks (141, 240)", shards: shards ?? null, objects: count, outputTasks: tasks, seconds: (Date.now() - start) / 1000 }));
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
