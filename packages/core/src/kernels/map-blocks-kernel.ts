import { NDArray } from "../ndarray/ndarray.js";
import type { JsonValue } from "../plan/ir.js";
import type { KernelContext } from "./types.js";
import { getKernel } from "./kernel-table.js";

/** Arguments of the built-in `"map-blocks"` kernel. */
export interface MapBlocksArgs {
  /** The user kernel's registered name. */
  kernel: string;
  /** Arguments passed to it. */
  args: JsonValue;
  /** Add the task's block coordinates to object arguments as `blockId`. */
  blockId: boolean;
}

/** Checks a user kernel's result against the block it must produce (shape and dtype), with a message naming the kernel. */
export function checkUserResult(name: string, result: unknown, shapes: readonly (readonly number[])[], dtypes: readonly string[]): NDArray[] {
  const list = Array.isArray(result) ? result : [result];
  if (list.length !== shapes.length) {
    throw new Error(`Kernel "${name}" returned ${list.length} block(s); the op has ${shapes.length} output(s).`);
  }
  return list.map((r: unknown, k) => {
    const b = r as NDArray;
    if (!b || typeof b !== "object" || !("data" in b) || !("shape" in b)) throw new Error(`Kernel "${name}" must return NDArray blocks.`);
    if (b.shape.length !== shapes[k]!.length || b.shape.some((s, d) => s !== shapes[k]![d])) {
      throw new Error(`Kernel "${name}" returned a block of shape [${b.shape.join(", ")}] for output ${k}; expected [${shapes[k]!.join(", ")}].`);
    }
    if (b.dtype !== dtypes[k]) throw new Error(`Kernel "${name}" returned ${b.dtype} for output ${k}; the op declared ${dtypes[k]}.`);
    // a block from another copy of core (a kernel module bundling its own) is rebuilt as ours
    return b instanceof NDArray ? b : new NDArray((b as NDArray).dtype, (b as NDArray).shape, (b as NDArray).data);
  });
}

/**
 * The built-in `"map-blocks"` kernel: runs a user kernel (registered by name in
 * a module listed in `Spec.kernelModules`) on one block of each input, and
 * checks that it returned blocks of the declared shape and dtype.
 */
export async function mapBlocksKernel(ctx: KernelContext): Promise<NDArray[]> {
  const a = ctx.args as unknown as MapBlocksArgs;
  const userArgs =
    a.blockId && (a.args === null || (typeof a.args === "object" && !Array.isArray(a.args)))
      ? { ...(a.args ?? {}), blockId: [...ctx.taskCoords] }
      : a.args;
  const result = await getKernel(a.kernel)({ ...ctx, args: userArgs });
  return checkUserResult(a.kernel, result, ctx.outputShapes, ctx.op.outputs.map((id) => ctx.plan.arrays[id]!.dtype));
}
