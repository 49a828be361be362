// Kernels travel with labelled plans: labelled's core kernels are registered
// with labelledKernelModule as their module, block kernels defined with a
// module get a core kernel of their own declaring it, and a plan naming a
// kernel this process does not have fails at plan time (KernelNotFoundError),
// never in a retry loop.

import { type CubedArray, NDArray, isCubedError } from "@cubed-ts/core";
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
});
