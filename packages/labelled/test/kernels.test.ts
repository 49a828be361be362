// Kernels travel with labelled plans: labelled's core kernels are registered
// with labelledKernelModule as their module, block kernels defined with a
// module get a core kernel of their own declaring it, and a plan naming a
// kernel this process does not have fails at plan time (KernelNotFoundError),
// never in a retry loop.

import { type CubedArray, NDArray, type Plan, admitPlan, isCubedError } from "@cubed-ts/core";
import { describe, expect, it } from "vitest";
import { type BlockKernel, cubedBackend, defineBlockKernel, labelledKernelModule, DataArray } from "../src/index.js";
import { testSpec } from "./helpers.js";
import { storeOp } from "../src/backends/cubed-ops.js";

const MODULE = import.meta.url;
const plusOne = defineBlockKernel("test/kernels-plus-one", ([b]) => new NDArray("float64", b!.shape, Float64Array.from(b!.data as Float64Array, (v) => v + 1)), { module: MODULE });

function lazy(): CubedArray {
  return new DataArray([1.5, 2.5, 3.5, 4.5], { dims: ["x"] }).chunk({ x: 2 }, { spec: testSpec() }).data as CubedArray;
}

describe("labelled kernels", () => {
  it("a block kernel defined with a module runs through its own core kernel, and computes", async () => {
    const y = cubedBackend.chunkManager.mapBlocks(plusOne, [lazy()], { dtype: "float64" });
    const ops = Object.values(y.plan({ optimize: false }).plan.ops);
    expect(ops.some((o) => o.kernel.kind === "named" && o.kernel.name === "labelled/map-blocks:test/kernels-plus-one")).toBe(true);
    expect(Array.from((await y.compute()).data as Float64Array)).toEqual([2.5, 3.5, 4.5, 5.5]);
    // the plan declares the block kernel's module, so workers import it
    expect(y.plan().plan.spec.kernelModules).toContain(MODULE);
  });

  it("plans using labelled's kernels declare labelledKernelModule (no Spec.kernelModules needed)", () => {
    const x = lazy();
    expect(x.spec.kernelModules).toEqual([]);
    const decoded = cubedBackend.chunkManager.mapBlocks(plusOne, [x], { dtype: "float64" });
    const stored = storeOp(decoded, { url: "memory://labelled-kernels-test", path: "/a", zarrFormat: 3, chunks: [2], compressor: null });
    const modules = stored.plan().plan.spec.kernelModules;
    expect(modules).toContain(labelledKernelModule);
    expect(modules).toContain(MODULE);
    // a plan of core ops only declares nothing
    expect(x.plan().plan.spec.kernelModules).toEqual([]);
  });

  it("a plan naming a kernel that is not registered here is a KernelNotFoundError at plan time", () => {
    const stray: BlockKernel = { name: "test/never-defined", fn: (b) => b[0]!, module: "file:///nowhere/kernels.js" };
    let err: unknown;
    try {
      cubedBackend.chunkManager.mapBlocks(stray, [lazy()], { dtype: "float64" });
    } catch (e) {
      err = e;
    }
    expect(isCubedError(err, "KernelNotFoundError")).toBe(true);
    expect((err as Error).message).toMatch(/"labelled\/map-blocks:test\/never-defined".*defineBlockKernel\(name, fn, \{ module: import\.meta\.url \}\)/);
  });

  it("defineBlockKernel checks its arguments", () => {
    expect(() => defineBlockKernel("", (b) => b[0]!)).toThrow(/non-empty name/);
    expect(() => defineBlockKernel("test/bad-module", (b) => b[0]!, { module: "" })).toThrow(/module must be a module URL/);
  });

  it("labelledKernelModule is the URL of the module that registers the kernels", () => {
    expect(labelledKernelModule).toMatch(/^file:\/\/.*\/kernels\.(ts|js)$/);
  });

  describe("workers admit labelled plans", () => {
    const target = "memory://labelled-admit/out.zarr";
    function storePlan(): Plan {
      const x = lazy();
      return storeOp(x, { url: target, path: "/a", zarrFormat: 3, chunks: [2], compressor: { id: "zstd", level: 1 } }).plan().plan;
    }
    async function admitted(plan: unknown, allowedPrefixes: string[]): Promise<unknown> {
      const p = plan as Plan;
      return admitPlan(JSON.stringify(p), { kernelModules: [...p.spec.kernelModules], allowedPrefixes }).then(() => "admitted", (e: unknown) => e);
    }

    it("the store kernel's Zarr target is checked against the worker's allowed prefixes", async () => {
      const plan = storePlan();
      const work = plan.spec.workDir;
      const refused = await admitted(plan, [work]);
      expect(isCubedError(refused, "StoreAccessError")).toBe(true);
      expect((refused as Error).message).toMatch(/the Zarr target of labelled\/store-chunk at memory:\/\/labelled-admit\/out\.zarr\/a/);
      expect(await admitted(plan, [work, "memory://labelled-admit"])).toBe("admitted");
    });

    it("malformed store and map-blocks arguments are a PlanRejectedError naming the field", async () => {
      const plan = storePlan();
      const [id, op] = Object.entries(plan.ops).find(([, o]) => o.kernel.kind === "named" && o.kernel.name === "labelled/store-chunk")!;
      const bad = (patch: Record<string, unknown>): unknown => {
        const p = JSON.parse(JSON.stringify(plan)) as Plan;
        const k = p.ops[id]!.kernel as { args: Record<string, unknown> };
        Object.assign(k.args, patch);
        return p;
      };
      expect(op.kernel.kind).toBe("named");
      for (const [patch, field] of [
        [{ zarrFormat: 4 }, "zarrFormat"],
        [{ path: "/../../etc" }, "path"],
        [{ chunks: [0] }, "chunks"],
        [{ compressor: { id: "lz4", level: 1 } }, "compressor.id"],
        [{ extra: 1 }, "extra"],
        [{ shards: [3] }, "shards"],
        [{ shards: "x" }, "shards"],
      ] as const) {
        const e = await admitted(bad(patch), []);
        expect(isCubedError(e, "PlanRejectedError"), JSON.stringify(patch)).toBe(true);
        expect((e as { field: string }).field).toMatch(new RegExp(`\\.args\\.${field.replace(".", "\\.")}$`));
      }
      const mb = cubedBackend.chunkManager.mapBlocks(plusOne, [lazy()], { dtype: "float64" }).plan().plan;
      const [mid] = Object.entries(mb.ops).find(([, o]) => o.kernel.kind === "named" && o.kernel.name.startsWith("labelled/map-blocks"))!;
      (mb.ops[mid]!.kernel as { args: Record<string, unknown> }).args.kernel = "../evil";
      const e = await admitted(mb, []);
      expect((e as { field: string }).field).toMatch(/\.args\.kernel$/);
    });
  });
});
