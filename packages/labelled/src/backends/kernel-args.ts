/**
 * Argument checks of the labelled kernels, run by workers on every received
 * plan before any task (a malformed argument is a `PlanRejectedError` naming
 * the field), and the store locations the store kernel writes, which workers
 * check against their allowed prefixes like the plan's own arrays.
 * @module
 */
import { type BlockwiseOp, type JsonValue, type KernelArgsCheck, type KernelLocation, type Plan, PlanRejectedError } from "@cubed-ts/core";

const KERNEL_NAME = /^[A-Za-z0-9][\w./:@-]*$/;
const FILL = /^(nan|inf|-inf|big:-?\d{1,20})$/;

function reject(field: string, what: string): never {
  throw new PlanRejectedError(`Plan rejected: ${field} ${what}.`, field);
}

function record(v: JsonValue, path: string, keys: readonly string[]): Record<string, JsonValue> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) reject(path, "must be an object");
  for (const k of Object.keys(v)) if (!keys.includes(k)) reject(`${path}.${k}`, `is not an argument of this kernel (expected ${keys.join(", ")})`);
  for (const k of keys) if (!(k in v)) reject(`${path}.${k}`, "is missing");
  return v;
}

function outputRank(op: BlockwiseOp, plan: Plan): number | undefined {
  return plan.arrays[op.outputs[0] ?? ""]?.shape.length;
}

/** `labelled/store-chunk`: `{ url, path, zarrFormat, separator, compressor, chunks, fill, shards }`. */
export const checkStoreChunkArgs: KernelArgsCheck = (args, path, op, plan) => {
  const a = record(args, path, ["url", "path", "zarrFormat", "separator", "compressor", "chunks", "fill", "shards"]);
  if (typeof a.url !== "string" || a.url === "" || a.url.length > 4096) reject(`${path}.url`, "must be a store URL");
  if (typeof a.path !== "string" || !a.path.startsWith("/") || a.path.split("/").some((s) => s === ".." || s === ".")) {
    reject(`${path}.path`, "must be an absolute array path without . or .. segments");
  }
  if (a.zarrFormat !== 2 && a.zarrFormat !== 3) reject(`${path}.zarrFormat`, "must be 2 or 3");
  if (a.separator !== "." && a.separator !== "/") reject(`${path}.separator`, 'must be "." or "/"');
  if (a.compressor !== null) {
    const c = record(a.compressor, `${path}.compressor`, ["id", "level"]);
    if (c.id !== "zlib" && c.id !== "gzip" && c.id !== "zstd") reject(`${path}.compressor.id`, 'must be "zlib", "gzip" or "zstd"');
    if (typeof c.level !== "number" || !Number.isInteger(c.level) || c.level < -131072 || c.level > 22) reject(`${path}.compressor.level`, "must be an integer level");
  }
  const rank = outputRank(op, plan);
  if (!Array.isArray(a.chunks) || a.chunks.some((c) => typeof c !== "number" || !Number.isInteger(c) || c < 1) || (rank !== undefined && a.chunks.length !== rank)) {
    reject(`${path}.chunks`, `must be ${rank ?? "the output's number of"} positive integer chunk sizes`);
  }
  if (a.shards !== null) {
    const chunks = a.chunks as number[];
    if (
      a.zarrFormat !== 3 || !Array.isArray(a.shards) || a.shards.length !== chunks.length ||
      a.shards.some((s, d) => typeof s !== "number" || !Number.isInteger(s) || s < 1 || s % chunks[d]! !== 0)
    ) {
      reject(`${path}.shards`, "must be null, or (zarrFormat 3) one positive multiple of the chunk size per dimension");
    }
  }
  if (!(a.fill === null || (typeof a.fill === "number" && Number.isFinite(a.fill)) || (typeof a.fill === "string" && FILL.test(a.fill)))) {
    reject(`${path}.fill`, 'must be null, a finite number, "nan", "inf", "-inf" or "big:<integer>"');
  }
};

/** The Zarr array `labelled/store-chunk` writes into, for the workers' store containment. */
export function storeChunkLocations(args: JsonValue): readonly KernelLocation[] {
  const a = args as { url?: unknown; path?: unknown };
  if (typeof a?.url !== "string" || typeof a.path !== "string") return [];
  return [{ url: `${a.url.replace(/\/+$/, "")}${a.path}`, what: "the Zarr target of labelled/store-chunk" }];
}

/** `labelled/map-blocks` (and its per-kernel aliases): `{ kernel, args }`. */
export const checkMapBlocksArgs: KernelArgsCheck = (args, path) => {
  const a = record(args, path, ["kernel", "args"]);
  if (typeof a.kernel !== "string" || a.kernel.length > 256 || !KERNEL_NAME.test(a.kernel)) reject(`${path}.kernel`, "must be a block kernel name");
  if (a.args === null || typeof a.args !== "object" || Array.isArray(a.args)) reject(`${path}.args`, "must be an object");
};
