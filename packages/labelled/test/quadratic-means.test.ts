// The quadratic-means workload written exactly as in the notebook
//   quad = ds**2; quad["uv"] = ds.anom_u * ds.anom_v; result = quad.mean("time")
// on openDataset(..., { chunkedArrayType: "cubed", chunks: {} }) of data xarray wrote:
// lazy until compute (raiseIfComputes), one compute, equal to numpy and to the eager backend.

import { beforeAll, describe, expect, it } from "vitest";
import { type ComputeStartEvent, type PlanSummary, compute, multiply, nanmean, random } from "@cubed-ts/core";
import { ComputeGuardError, Dataset, openDataset, raiseIfComputes } from "../src/index.js";
import { expectClose, flat, tempDir, testSpec } from "./helpers.js";
import { runPython } from "./python.js";

interface Expected {
  anom_u: number[];
  anom_v: number[];
  uv: number[];
  shape: number[];
}

let url: string;
let expected: Expected;

beforeAll(() => {
  const dir = tempDir("labelled-quad-");
  expected = runPython<Expected>("quadratic_means.py", dir);
  url = `${dir}/uv.zarr`;
});

function workload(ds: Dataset): Dataset {
  const quad = ds.pow(2);
  quad.set("uv", ds.get("anom_u").mul(ds.get("anom_v")));
  const result = quad.mean("time");
  return result;
}

describe("quadratic means", () => {
  it("stays lazy until compute, computes in one plan, equals numpy", async () => {
    const ds = await openDataset(url, { chunkedArrayType: "cubed", chunks: {}, spec: testSpec() });
    expect(ds.variables.get("anom_u")!.chunks).toEqual([[2, 2, 2], [1], [4], [5]]);
    const result = raiseIfComputes(() => workload(ds));
    for (const name of ["anom_u", "anom_v", "uv"]) {
      expect(result.variables.get(name)!.isChunked, name).toBe(true);
      expect(result.get(name).dims).toEqual(["face", "j", "i"]);
    }
    await expect(raiseIfComputes(() => result.compute())).rejects.toThrow(ComputeGuardError);
    let computes = 0;
    const computed = await result.compute({ callbacks: [{ onComputeStart: () => void computes++ }] });
    expect(computes).toBe(1);
    for (const name of ["anom_u", "anom_v", "uv"] as const) {
      expect(computed.variables.get(name)!.isChunked).toBe(false);
      expectClose(await flat(computed.get(name)), expected[name], 1e-12);
    }
  });

  it("the eager backend gives the same result", async () => {
    const eager = workload(await openDataset(url));
    const lazy = await workload(await openDataset(url, { chunkedArrayType: "cubed", chunks: { time: 4 }, spec: testSpec() })).compute();
    for (const name of ["anom_u", "anom_v", "uv"] as const) {
      expect(eager.variables.get(name)!.isChunked).toBe(false);
      const e = await flat(eager.get(name));
      expectClose(e, expected[name], 1e-12);
      expectClose(await flat(lazy.get(name)), e, 1e-12);
    }
  });
});

describe("quadratic means from core arrays (the notebook's xr.Dataset(dict(anom_u=(dims, u), ...)))", () => {
  it("plans exactly the ops core would (no labelled overhead) and matches the eager result", async () => {
    const spec = testSpec();
    const dims = ["time", "face", "j", "i"];
    const u = random.random([8, 1, 6, 5], { chunks: [2, 1, 6, 5], seed: 1, spec });
    const v = random.random([8, 1, 6, 5], { chunks: [2, 1, 6, 5], seed: 2, spec });
    const ds = new Dataset({ anom_u: [dims, u], anom_v: [dims, v] });
    const result = raiseIfComputes(() => workload(ds));
    let labelled: PlanSummary | undefined;
    const computed = await result.compute({ callbacks: [{ onComputeStart: (e: ComputeStartEvent) => void (labelled = e.summary) }] });
    let direct: PlanSummary | undefined;
    // xarray's mean of floats skips NaN: core's nanmean
    const [mu, mv, muv] = await compute(nanmean(multiply(u, u), { axis: 0 }), nanmean(multiply(v, v), { axis: 0 }), nanmean(multiply(u, v), { axis: 0 }), {
      callbacks: [{ onComputeStart: (e: ComputeStartEvent) => void (direct = e.summary) }],
    });
    expect(labelled!.numTasks).toBe(direct!.numTasks);
    expect(labelled!.numOps).toBe(direct!.numOps);
    expect(labelled!.maxProjectedMem).toBe(direct!.maxProjectedMem);
    const [eu, ev] = await compute(u, v);
    const eager = workload(new Dataset({ anom_u: [dims, eu!], anom_v: [dims, ev!] }));
    for (const [name, core] of [["anom_u", mu], ["anom_v", mv], ["uv", muv]] as const) {
      const got = await flat(computed.get(name));
      expectClose(got, Array.from(core!.data as Float64Array), 1e-12);
      expectClose(await flat(eager.get(name)), got, 1e-12);
    }
  });
});
