/**
 * CF conventions on Zarr: decoding on read (fill-value masking, scale/offset
 * unpacking, `"<unit> since <date>"` times, int8 booleans, `_Unsigned`) and
 * encoding on write, with xarray's dtype rules. Both run per block through
 * block kernels, so lazy data stay lazy and eager data use the same code.
 * @module
 */
import { type DataType, NDArray } from "@cubed-ts/core";
import { DecodeError, EncodeError } from "../errors.js";
import { defineBlockKernel } from "../backends/block-kernels.js";
import { alloc, castElement } from "../backends/ndarray-ops.js";
import type { BlockKernelArgs } from "../backends/types.js";
import { isFloat, isInteger, promoteForNaN } from "../dtypes.js";
import type { AttrValue, Attrs, Encoding } from "../model/attrs.js";
import { inferTimeUnits, isTimeUnits, parseTimeUnits } from "../time.js";

type Enc = number | string;

function enc(v: number): Enc {
  return Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v;
}
function dec(v: Enc | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number") return v;
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v);
}

/** Arguments of the `labelled/cf-decode` block kernel. */
export interface DecodeArgs {
  /** Raw values that mean "missing" (never NaN). */
  fills: Enc[];
  scale: Enc | null;
  offset: Enc | null;
  /** Time decoding: milliseconds per unit and the reference instant. */
  unitMs: Enc | null;
  refMs: Enc | null;
  /** Reinterpret signed ints as unsigned (`_Unsigned: "true"`), with this many bits. */
  unsignedBits: number | null;
  /** int8 stored booleans (`dtype: "bool"` attribute). */
  toBool: boolean;
  outDtype: DataType;
}

/**
 * Decodes one block of raw values.
 *
 * @example
 * ```ts
 * decodeBlock(raw, { fills: [-9999], scale: 0.01, offset: 273.15, unitMs: null, refMs: null, unsignedBits: null, toBool: false, outDtype: "float64" });
 * ```
 */
export function decodeBlock(x: NDArray, a: DecodeArgs): NDArray {
  const src = x.data as ArrayLike<number | bigint>;
  const out = alloc(a.outDtype, src.length);
  const fills = a.fills.map((f) => dec(f)!);
  const scale = dec(a.scale);
  const offset = dec(a.offset);
  const unitMs = dec(a.unitMs);
  const refMs = dec(a.refMs);
  const wrap = a.unsignedBits ? 2 ** a.unsignedBits : 0;
  const outFloat = a.outDtype === "float32" || a.outDtype === "float64";
  for (let i = 0; i < src.length; i++) {
    let v = Number(src[i]!);
    if (wrap && v < 0) v += wrap;
    if (a.toBool) {
      out[i] = v !== 0 ? 1 : 0;
      continue;
    }
    if (fills.length && fills.includes(v)) {
      out[i] = castElement(NaN, a.outDtype);
      continue;
    }
    if (scale !== undefined) v *= scale;
    if (offset !== undefined) v += offset;
    if (unitMs !== undefined) v = refMs! + v * unitMs;
    out[i] = outFloat ? v : castElement(v, a.outDtype);
  }
  return new NDArray(a.outDtype, x.shape, out);
}

/** Block kernel `labelled/cf-decode`. */
export const cfDecodeKernel = defineBlockKernel("labelled/cf-decode", ([x], args) => decodeBlock(x!, args as unknown as DecodeArgs));

/** The result of planning the decoding of one variable. */
export interface DecodePlan {
  /** null when nothing needs decoding. */
  args: (DecodeArgs & BlockKernelArgs) | null;
  outDtype: DataType;
  datetime: boolean;
  attrs: Attrs;
  encoding: Encoding;
}

function asNumberList(v: AttrValue | undefined): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (typeof x === "bigint" ? Number(x) : Number(x as number)));
}

/** Options of CF decoding. */
export interface DecodeOptions {
  maskAndScale?: boolean;
  decodeTimes?: boolean;
}

/**
 * Plans CF decoding of a variable from its on-disk dtype and attributes. The
 * attributes it consumes move to the encoding.
 *
 * @example
 * ```ts
 * planDecode("t", "int16", { scale_factor: 0.1, _FillValue: -1 }, {}).outDtype; // "float64"
 * ```
 */
export function planDecode(name: string, raw: DataType, attrsIn: Attrs, options: DecodeOptions = {}): DecodePlan {
  const attrs: Attrs = { ...attrsIn };
  const encoding: Encoding = { dtype: raw };
  const mask = options.maskAndScale ?? true;
  const times = options.decodeTimes ?? true;
  let outDtype: DataType = raw;
  let toBool = false;
  let unsignedBits: number | null = null;
  if (attrs.dtype === "bool" && isInteger(raw)) {
    encoding.dtype = raw;
    delete attrs.dtype;
    toBool = true;
    outDtype = "bool";
  }
  let rawForMask: DataType = raw;
  if (mask && attrs._Unsigned !== undefined) {
    const u = String(attrs._Unsigned).toLowerCase() === "true";
    encoding._Unsigned = String(attrs._Unsigned);
    delete attrs._Unsigned;
    if (u && isInteger(raw) && !raw.startsWith("u")) {
      unsignedBits = Number(raw.slice(3));
      rawForMask = `u${raw}` as DataType;
      outDtype = rawForMask;
    }
  }
  let fills: number[] = [];
  let scale: number | undefined;
  let offset: number | undefined;
  if (mask) {
    const fv = asNumberList(attrs._FillValue);
    const mv = asNumberList(attrs.missing_value);
    if (attrs._FillValue !== undefined) {
      encoding._FillValue = attrs._FillValue as number;
      delete attrs._FillValue;
    }
    if (attrs.missing_value !== undefined) {
      encoding.missing_value = attrs.missing_value as number;
      delete attrs.missing_value;
    }
    fills = [...new Set([...fv, ...mv].filter((v) => !Number.isNaN(v)))];
    if (unsignedBits) fills = fills.map((f) => (f < 0 ? f + 2 ** unsignedBits! : f));
    if (typeof attrs.scale_factor === "number") {
      scale = attrs.scale_factor;
      encoding.scale_factor = scale;
      delete attrs.scale_factor;
    }
    if (typeof attrs.add_offset === "number") {
      offset = attrs.add_offset;
      encoding.add_offset = offset;
      delete attrs.add_offset;
    }
  }
  let unitMs: number | undefined;
  let refMs: number | undefined;
  const datetime = times && isTimeUnits(attrs.units) && !toBool;
  if (datetime) {
    const calendar = typeof attrs.calendar === "string" ? attrs.calendar : "standard";
    const u = parseTimeUnits(attrs.units as string, calendar, name);
    unitMs = u.unitMs;
    refMs = u.referenceMs;
    encoding.units = attrs.units as string;
    delete attrs.units;
    if (attrs.calendar !== undefined) {
      encoding.calendar = String(attrs.calendar);
      delete attrs.calendar;
    }
  }
  if (!toBool) {
    if (scale !== undefined || offset !== undefined || datetime) outDtype = "float64";
    else if (fills.length) outDtype = promoteForNaN(rawForMask);
  }
  if (typeof attrs.coordinates === "string") {
    encoding.coordinates = attrs.coordinates;
    delete attrs.coordinates;
  }
  const needed = toBool || unsignedBits !== null || fills.length > 0 || scale !== undefined || offset !== undefined || datetime;
  if (!needed) return { args: null, outDtype: raw, datetime: false, attrs, encoding };
  if (fills.length && !isFloat(rawForMask) && !isInteger(rawForMask)) {
    throw new DecodeError(`Variable "${name}": a fill value on ${raw} data cannot be decoded.`, name);
  }
  const args: DecodeArgs = {
    fills: fills.map(enc),
    scale: scale === undefined ? null : enc(scale),
    offset: offset === undefined ? null : enc(offset),
    unitMs: unitMs === undefined ? null : enc(unitMs),
    refMs: refMs === undefined ? null : enc(refMs),
    unsignedBits,
    toBool,
    outDtype,
  };
  return { args: args as DecodeArgs & BlockKernelArgs, outDtype, datetime, attrs, encoding };
}

/** Milliseconds per NumPy time unit (Y and M have no fixed length). */
const NUMPY_UNIT_MS: Record<string, number> = {
  W: 7 * 86_400_000, D: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, ns: 1e-6, ps: 1e-9, fs: 1e-12, as: 1e-15,
};
/** The CF name of a NumPy unit, where CF has one. */
const CF_UNIT: Record<string, string> = { D: "days", h: "hours", m: "minutes", s: "seconds", ms: "milliseconds", us: "microseconds", ns: "nanoseconds" };

/**
 * Plans the decoding of an array stored with a NumPy time type (v2 `<M8[s]`, v3
 * `numpy.datetime64`; read as int64 counts of `scale` × `unit`), as xarray sees it: a
 * datetime64 is times (NaT, the int64 minimum, is missing), read here as datetimes; a
 * timedelta64 stays int64 counts (the labelled layer has no duration dtype), its type in
 * `encoding.numpy_dtype`. `plan` is the CF plan of its attributes, which this replaces.
 *
 * @example
 * ```ts
 * planStoredTime("t", { kind: "datetime64", unit: "s", scale: 1 }, planDecode("t", "int64", {}), {}).encoding.units; // "seconds since 1970-01-01"
 * ```
 */
export function planStoredTime(
  name: string,
  time: { kind: "datetime64" | "timedelta64"; unit: string; scale: number },
  plan: DecodePlan,
  options: DecodeOptions = {},
): DecodePlan {
  const numpyDtype = `${time.kind}[${time.scale === 1 ? "" : time.scale}${time.unit}]`;
  const encoding: Encoding = { ...plan.encoding, dtype: "int64", numpy_dtype: numpyDtype };
  if (time.kind === "timedelta64" || !(options.decodeTimes ?? true)) {
    return { args: null, outDtype: "int64", datetime: false, attrs: plan.attrs, encoding };
  }
  const unitMs = NUMPY_UNIT_MS[time.unit];
  if (unitMs === undefined) {
    throw new DecodeError(
      `Variable "${name}" is stored as ${numpyDtype}, whose unit (${time.unit === "Y" ? "years" : "months"}) has no fixed length, so it cannot be read as ` +
        `datetimes. Open with decodeTimes: false to keep the int64 counts.`,
      name,
    );
  }
  if (time.scale === 1 && CF_UNIT[time.unit]) {
    // written back as CF times of the same resolution
    encoding.units = `${CF_UNIT[time.unit]} since 1970-01-01`;
    encoding.calendar = "proleptic_gregorian";
  }
  const args: DecodeArgs = {
    fills: [enc(-(2 ** 63))], scale: null, offset: null, unitMs: enc(unitMs * time.scale), refMs: 0, unsignedBits: null, toBool: false, outDtype: "float64",
  };
  return { args: args as DecodeArgs & BlockKernelArgs, outDtype: "float64", datetime: true, attrs: plan.attrs, encoding };
}

// ---------------------------------------------------------------------------
// Encoding

/** Arguments of the `labelled/cf-encode` block kernel. */
export interface EncodeArgs {
  /** Value written where the decoded value is NaN (null: NaN stays, for float output). */
  fill: Enc | null;
  scale: Enc | null;
  offset: Enc | null;
  unitMs: Enc | null;
  refMs: Enc | null;
  /** `_Unsigned: "true"`: store unsigned values in a signed int of this many bits (two's complement). */
  signedBits?: number | null;
  outDtype: DataType;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Encodes one block for writing (the inverse of {@link decodeBlock}).
 *
 * @example
 * ```ts
 * encodeBlock(x, { fill: -9999, scale: 0.01, offset: null, unitMs: null, refMs: null, outDtype: "int16" });
 * ```
 */
export function encodeBlock(x: NDArray, a: EncodeArgs): NDArray {
  const src = x.data as ArrayLike<number | bigint>;
  const out = alloc(a.outDtype, src.length);
  const fill = dec(a.fill);
  const scale = dec(a.scale);
  const offset = dec(a.offset);
  const unitMs = dec(a.unitMs);
  const refMs = dec(a.refMs);
  const intOut = isInteger(a.outDtype);
  const big = a.outDtype === "int64" || a.outDtype === "uint64";
  const half = a.signedBits ? 2 ** (a.signedBits - 1) : Infinity;
  for (let i = 0; i < src.length; i++) {
    let v = Number(src[i]!);
    if (unitMs !== undefined) v = (v - refMs!) / unitMs;
    if (offset !== undefined) v -= offset;
    if (scale !== undefined) v /= scale;
    if (Number.isNaN(v)) {
      out[i] = fill === undefined ? castElement(NaN, a.outDtype) : big ? BigInt(fill) : castElement(fill, a.outDtype);
      continue;
    }
    if (intOut) v = roundHalfEven(v);
    if (v >= half) v -= 2 * half;
    out[i] = castElement(v, a.outDtype);
  }
  return new NDArray(a.outDtype, x.shape, out);
}

/** Block kernel `labelled/cf-encode`. */
export const cfEncodeKernel = defineBlockKernel("labelled/cf-encode", ([x], args) => encodeBlock(x!, args as unknown as EncodeArgs));

/** How a variable is written. */
export interface EncodePlan {
  args: (EncodeArgs & BlockKernelArgs) | null;
  dtype: DataType;
  /** Attributes to write (CF attributes added). */
  attrs: Attrs;
  /** The `_FillValue` (masking value) to store: in `fill_value` for v2, as an attribute for v3. null: none. */
  fillValue: number | bigint | null;
}

/**
 * Plans CF encoding of a variable for writing: datetimes become int64 with
 * `units`/`calendar`; booleans int8 with a `dtype: "bool"` attribute (as xarray's
 * CF encoder writes them); `scale_factor`/`add_offset`/`dtype`/`_FillValue` in the
 * encoding pack values; floats get a NaN fill value.
 *
 * @example
 * ```ts
 * planEncode("t", "float64", true, {}, { lazy: false, values: ms }).attrs.units; // "days since …"
 * ```
 */
export function planEncode(
  name: string,
  dtype: DataType,
  datetime: boolean,
  attrsIn: Attrs,
  encoding: Encoding,
  info: { lazy: boolean; values?: ArrayLike<number | bigint> },
): EncodePlan {
  const attrs: Attrs = { ...attrsIn };
  for (const k of ["_FillValue", "missing_value", "scale_factor", "add_offset"]) {
    if (k in attrs) {
      throw new EncodeError(
        `Variable "${name}" has "${k}" in attrs; put it in the encoding (encoding: { "${name}": { ${k}: … } }) so it is applied when writing.`,
        name,
      );
    }
  }
  let outDtype: DataType = dtype;
  if (dtype === "bool" && encoding.dtype === undefined) {
    // xarray's BooleanCoder: int8 on disk, marked so readers turn it back into bool
    attrs.dtype = "bool";
    outDtype = "int8";
  }
  if (encoding.dtype !== undefined) {
    const d = String(encoding.dtype);
    if (!/^(bool|u?int(8|16|32|64)|float(32|64))$/.test(d)) throw new EncodeError(`Variable "${name}": unsupported encoding dtype "${d}".`, name);
    outDtype = d as DataType;
  }
  let unitMs: number | undefined;
  let refMs: number | undefined;
  if (datetime) {
    if (isTimeUnits(attrs.units)) throw new EncodeError(`Variable "${name}" holds datetimes but has time units in attrs; put units in the encoding.`, name);
    let units = encoding.units;
    if (units === undefined) {
      if (info.lazy) units = "milliseconds since 1970-01-01";
      else units = inferTimeUnits(Array.from(info.values ?? [], Number));
    }
    const calendar = encoding.calendar ?? "proleptic_gregorian";
    const u = parseTimeUnits(units, calendar, name);
    unitMs = u.unitMs;
    refMs = u.referenceMs;
    attrs.units = units;
    attrs.calendar = calendar;
    if (encoding.dtype === undefined) outDtype = "int64";
  }
  let signedBits: number | null = null;
  if (encoding._Unsigned !== undefined && !datetime) {
    attrs._Unsigned = String(encoding._Unsigned);
    if (String(encoding._Unsigned).toLowerCase() === "true" && isInteger(outDtype)) {
      if (outDtype.startsWith("u")) outDtype = outDtype.slice(1) as DataType;
      signedBits = Number(outDtype.slice(3));
    }
  }
  const scale = encoding.scale_factor;
  const offset = encoding.add_offset;
  let fillValue: number | bigint | null = null;
  if (encoding._FillValue !== undefined && encoding._FillValue !== null) fillValue = encoding._FillValue;
  else if (isFloat(outDtype) && encoding._FillValue !== null) fillValue = NaN;
  if (scale !== undefined) attrs.scale_factor = scale;
  if (offset !== undefined) attrs.add_offset = offset;
  if (encoding.missing_value !== undefined) attrs.missing_value = encoding.missing_value as AttrValue;
  // with only missing_value, NaN is written as missing_value (not stored as _FillValue)
  const mv = Array.isArray(encoding.missing_value) ? encoding.missing_value[0] : encoding.missing_value;
  const maskValue = fillValue ?? (typeof mv === "number" || typeof mv === "bigint" ? mv : null);
  if (isInteger(outDtype) && !datetime && (isFloat(dtype) || scale !== undefined) && maskValue === null && !info.lazy) {
    const hasNaN = Array.from(info.values ?? [], Number).some(Number.isNaN);
    if (hasNaN) {
      throw new EncodeError(`Variable "${name}" has NaN values but is written as ${outDtype} without a _FillValue in its encoding.`, name);
    }
  }
  if (datetime && !info.lazy && Array.from(info.values ?? [], Number).some(Number.isNaN) && fillValue === null) {
    fillValue = -(2n ** 63n);
  }
  const needed = outDtype !== dtype || scale !== undefined || offset !== undefined || datetime || signedBits !== null;
  if (!needed) return { args: null, dtype: outDtype, attrs, fillValue };
  const args: EncodeArgs = {
    fill: maskValue === null ? null : typeof maskValue === "bigint" ? maskValue.toString() : enc(maskValue),
    scale: scale === undefined ? null : enc(scale),
    offset: offset === undefined ? null : enc(offset),
    unitMs: unitMs === undefined ? null : enc(unitMs),
    refMs: refMs === undefined ? null : enc(refMs),
    signedBits,
    outDtype,
  };
  return { args: args as EncodeArgs & BlockKernelArgs, dtype: outDtype, attrs, fillValue };
}

/**
 * Decodes xarray's v3 `_FillValue` attribute: base64 of a little-endian
 * float64 for float dtypes (or a plain number), a JSON int for ints.
 *
 * @example
 * ```ts
 * decodeV3FillAttr("AAAAAAAA+H8=", "float32"); // NaN
 * decodeV3FillAttr("AAAAAICHw8A=", "float64"); // -9999
 * ```
 */
export function decodeV3FillAttr(v: AttrValue, dtype: string): number | bigint | null {
  if (v === null) return null;
  if (typeof v === "string" && (dtype === "float32" || dtype === "float64")) {
    const bytes = Buffer.from(v, "base64");
    if (bytes.length === 8) return bytes.readDoubleLE(0);
    if (bytes.length === 4) return bytes.readFloatLE(0);
    if (v === "NaN") return NaN;
    throw new DecodeError(`Cannot decode _FillValue ${JSON.stringify(v)} for ${dtype} data: expected base64 of 8 little-endian bytes.`);
  }
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

/**
 * Encodes a float fill value as xarray writes the v3 `_FillValue` attribute (base64 float64, little-endian).
 *
 * @example
 * ```ts
 * encodeV3FillAttr(NaN); // "AAAAAAAA+H8="
 * ```
 */
export function encodeV3FillAttr(v: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(Number.isNaN(v) ? NaN : v, 0);
  if (Number.isNaN(v)) b.writeBigUInt64LE(0x7ff8000000000000n, 0);
  return b.toString("base64");
}

/**
 * Decodes a Zarr metadata `fill_value`: numbers, `"NaN"`/`"Infinity"`/`"-Infinity"`,
 * v3 hex floats (`"0x7fc00000"`), booleans; null stays null.
 *
 * @example
 * ```ts
 * decodeZarrFill("0x7fc00000", "float32"); // NaN
 * ```
 */
export function decodeZarrFill(v: unknown, dtype: string): number | bigint | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "string") {
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    if (/^0x[0-9a-f]+$/i.test(v)) {
      const bits = BigInt(v);
      const buf = Buffer.alloc(8);
      if (dtype === "float32") {
        buf.writeUInt32BE(Number(bits), 0);
        return buf.readFloatBE(0);
      }
      buf.writeBigUInt64BE(bits, 0);
      return buf.readDoubleBE(0);
    }
  }
  return null;
}
