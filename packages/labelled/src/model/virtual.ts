/**
 * Datetime fields as variables (`"time.month"`, `da.dt.season`): computed in
 * memory for in-memory data, or lazily with a block kernel for chunked data.
 * @module
 */
import { NDArray } from "@cubed-ts/core";
import { StringArray } from "../dtypes.js";
import { ArgumentError } from "../errors.js";
import { defineBlockKernel } from "../backends/block-kernels.js";
import { backendOf } from "../backends/registry.js";
import { type DatetimeField, datetimeField } from "../time.js";
import { Variable } from "./variable.js";

const FIELDS: readonly DatetimeField[] = ["year", "month", "day", "hour", "minute", "second", "dayofyear", "dayofweek", "season"];

function fieldBlock(x: NDArray, field: DatetimeField): NDArray {
  const src = x.data as Float64Array;
  const out = new BigInt64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = datetimeField(src[i]!, field);
    out[i] = typeof v === "number" && Number.isFinite(v) ? BigInt(v) : -1n;
  }
  return new NDArray("int64", x.shape, out);
}

/** Block kernel: a numeric datetime field of float64 epoch-ms blocks (int64; NaT → -1). */
export const datetimeFieldKernel = defineBlockKernel("labelled/datetime-field", ([x], args) => fieldBlock(x!, args.field as DatetimeField));

/**
 * A datetime field of a datetime variable: int64 (NaT → -1), or strings for `season`.
 *
 * @example
 * ```ts
 * datetimeFieldVariable(timeVar, "month");
 * ```
 */
export function datetimeFieldVariable(v: Variable, field: DatetimeField): Variable {
  if (!v.isDatetime) throw new ArgumentError(`.dt.${field} needs datetime data; this variable is ${v.dtype}.`, "field");
  if (!FIELDS.includes(field)) throw new ArgumentError(`Unknown datetime field "${field}": use one of ${FIELDS.join(", ")}.`, "field");
  const data = v.data as NDArray;
  if (field === "season") {
    if (v.isChunked) throw new ArgumentError("season needs the datetimes in memory (its labels are strings): compute them first.", "field");
    const src = data.data as Float64Array;
    return new Variable(v.dims, new StringArray(data.shape, Array.from(src, (ms) => String(datetimeField(ms, "season")))));
  }
  if (v.isChunked) {
    const b = backendOf(data);
    return new Variable(v.dims, b.chunkManager.mapBlocks(datetimeFieldKernel, [data], { dtype: "int64", args: { field } }));
  }
  return new Variable(v.dims, fieldBlock(data, field));
}

/** The virtual variable `"<datetime var>.<field>"`, if `name` is one. */
export function virtualVariable(name: string, vars: ReadonlyMap<string, Variable>): Variable | undefined {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const base = vars.get(name.slice(0, dot));
  const field = name.slice(dot + 1) as DatetimeField;
  if (!base || !base.isDatetime || !FIELDS.includes(field)) return undefined;
  return datetimeFieldVariable(base, field);
}
