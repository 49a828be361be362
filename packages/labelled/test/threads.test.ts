// Lazy labelled work on worker threads (@cubed-ts/exec-threads): the labelled
// kernels (CF decoding/encoding, storing chunks, mapBlocks) run in workers that
// import the module the plan declares for them (labelledKernelModule), with no
// Spec.kernelModules given. A failed toZarr on threads leaves nothing that
// opens as data. Uses the built package (dist), since workers import JavaScript.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Spec, isCubedError, openStore } from "@cubed-ts/core";
import { ThreadsExecutor } from "@cubed-ts/exec-threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";
import { runPython } from "./python.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
type Labelled = typeof import("../src/index.js");
let L: Labelled;
let executor: ThreadsExecutor;
let dir: string;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build the package first (pnpm --filter @cubed-ts/labelled build).`);
  L = (await import(dist)) as Labelled;
  executor = new ThreadsExecutor({ maxWorkers: 2 });
  dir = tempDir("labelled-threads-");
  runPython("write_fixture.py", dir);
});

afterAll(async () => {
  await executor?.close();
});

describe("labelled kernels on worker threads", () => {
  it("decode, compute and toZarr (encode + store) run in workers and equal the in-process results", async () => {
    const spec = new Spec({ workDir: tempDir("labelled-threads-work-"), allowedMem: "200MB", reservedMem: "20MB", executor });
    const ds = await L.openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "cubed", chunks: {}, spec });
    expect(ds.variables.get("packed")!.isChunked).toBe(true);
    const m = await ds.mean("time").compute();
    const eager = (await L.openDataset(`${dir}/v2.zarr`)).mean("time");
    for (const name of ["tas", "packed", "count"]) {
      const a = Array.from((await m.get(name).values()).data as Float64Array);
      const b = Array.from((await eager.get(name).values()).data as Float64Array);
      expect(a.length).toBe(b.length);
      a.forEach((x, i) => expect(Math.abs(x - b[i]!), `${name}[${i}]`).toBeLessThan(1e-9));
    }
    await ds.toZarr(`${dir}/out.zarr`, { zarrFormat: 3 });
    const back = await L.openDataset(`${dir}/out.zarr`);
    const orig = await L.openDataset(`${dir}/v2.zarr`);
    for (const name of ["tas", "packed", "mask", "count"]) {
      const a = Array.from((await back.get(name).values()).data as ArrayLike<number>);
      const b = Array.from((await orig.get(name).values()).data as ArrayLike<number>);
      expect(a.map((x) => (Number.isNaN(x) ? null : Math.round(x * 1e4))), name).toEqual(b.map((x) => (Number.isNaN(x) ? null : Math.round(x * 1e4))));
    }
  });

  it("a toZarr that fails on threads (half the task attempts fail, no retries) leaves no metadata and nothing that opens as data", async () => {
    const failing = new ThreadsExecutor({ maxWorkers: 2, retries: 0, faults: { failRate: 0.5, seed: 1 } });
    try {
      const spec = new Spec({ workDir: tempDir("labelled-threads-work-"), allowedMem: "200MB", reservedMem: "20MB", executor: failing });
      const ds = await L.openDataset(`${dir}/v2.zarr`, { chunkedArrayType: "cubed", spec });
      const url = `${dir}/failed.zarr`;
      const err = await ds.toZarr(url, { zarrFormat: 2 }).catch((e: unknown) => e);
      expect(isCubedError(err, "TaskError")).toBe(true);
      const keys = await openStore(url).list("/");
      expect(keys.filter((k) => /(\.zgroup|\.zarray|\.zattrs|\.zmetadata|zarr\.json)$/.test(k))).toEqual([]);
      const open = await L.openDataset(url).catch((e: unknown) => e);
      expect(L.isLabelledError(open, "ZarrFormatError")).toBe(true);
      const py = runPython<Record<string, { opened: boolean }>>("try_open.py", url);
      for (const [how, r] of Object.entries(py)) expect(r.opened, how).toBe(false);
    } finally {
      await failing.close();
    }
  });
});
