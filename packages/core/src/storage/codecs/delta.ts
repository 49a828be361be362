/**
 * numcodecs' `delta` filter with its `astype` (the on-disk type of the differences), which
 * zarrita's own delta codec ignores: zarr-python's `Delta(dtype="<i4", astype="<i2")` stores
 * int16 differences of an int32 array.
 * @module
 */
import * as zarr from "zarrita";
import { type DataType, type TypedArray, DATA_TYPES, allocate } from "../../dtypes/dtype.js";

const KINDS: Record<string, string> = { i: "int", u: "uint", f: "float" };

/**
 * The cubed-ts dtype of a little-endian (or single-byte) NumPy type string, or `undefined`.
 *
 * @example
 * ```ts
 * numpyLittleEndian("<i2"); // "int16"
 * ```
 */
export function numpyLittleEndian(s: unknown): DataType | undefined {
  const m = typeof s === "string" ? /^([<|])([iuf])(\d+)$/.exec(s) : null;
  if (!m || (m[1] === "|" && m[3] !== "1")) return undefined;
  const name = `${KINDS[m[2]!]}${Number(m[3]) * 8}`;
  return (DATA_TYPES as readonly string[]).includes(name) ? (name as DataType) : undefined;
}

type Meta = { dataType: string; fillValue?: unknown };
type Chunk = { data: TypedArray; shape: number[]; stride: number[] };

/** Casts `v` (from an array of another type) so it can be stored in `out`'s type. */
function caster(to: DataType): (v: number | bigint) => number | bigint {
  if (to === "int64") return (v) => (typeof v === "bigint" ? v : BigInt(Math.trunc(v)));
  if (to === "uint64") return (v) => (typeof v === "bigint" ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(Math.trunc(v))));
  return (v) => (typeof v === "bigint" ? Number(BigInt.asIntN(64, v)) : v);
}

class DeltaAstypeCodec {
  readonly kind = "array_to_array";
  readonly #dtype: DataType;
  readonly #astype: DataType;
  constructor(dtype: DataType, astype: DataType) {
    this.#dtype = dtype;
    this.#astype = astype;
  }
  static fromConfig(config: { astype?: unknown } | undefined, meta: Meta): DeltaAstypeCodec {
    const dtype = meta.dataType as DataType;
    if (!(DATA_TYPES as readonly string[]).includes(dtype) || dtype === "bool") {
      throw new zarr.InvalidMetadataError(`delta filter does not support data type ${meta.dataType}`);
    }
    const astype = config?.astype === undefined ? dtype : numpyLittleEndian(config.astype);
    if (!astype) throw new zarr.InvalidMetadataError(`delta filter astype ${JSON.stringify(config?.astype)} is not a little-endian numeric type`);
    return new DeltaAstypeCodec(dtype, astype);
  }
  getEncodedMeta(meta: Meta): Meta {
    return { ...meta, dataType: this.#astype };
  }
  encode(chunk: Chunk): Chunk {
    const src = chunk.data as ArrayLike<number | bigint>;
    const out = allocate(this.#astype, src.length) as unknown as { [i: number]: number | bigint };
    const cast = caster(this.#astype);
    for (let i = 0; i < src.length; i++) {
      // differences in the array's own type (wrapping), then cast, as numcodecs does
      const d = i === 0 ? src[0]! : (src[i] as number) - (src[i - 1] as number);
      out[i] = cast(typeof d === "bigint" && this.#dtype !== "uint64" ? BigInt.asIntN(64, d) : d);
    }
    return { data: out as unknown as TypedArray, shape: chunk.shape, stride: chunk.stride };
  }
  decode(chunk: Chunk): Chunk {
    const src = chunk.data as ArrayLike<number | bigint>;
    const out = allocate(this.#dtype, src.length) as unknown as { [i: number]: number | bigint };
    const cast = caster(this.#dtype);
    // a cumulative sum in the array's type (typed-array stores wrap integers as numpy does)
    if (src.length > 0) out[0] = cast(src[0]!);
    for (let i = 1; i < src.length; i++) {
      const prev = out[i - 1]!;
      const v = cast(src[i]!);
      out[i] = typeof prev === "bigint" ? prev + (v as bigint) : prev + (v as number);
    }
    return { data: out as unknown as TypedArray, shape: chunk.shape, stride: chunk.stride };
  }
}

type CodecLoader = Parameters<typeof zarr.registry.set>[1];
const loader = (async () => DeltaAstypeCodec) as unknown as CodecLoader;

/**
 * Makes zarrita decode numcodecs' `delta` filter with its `astype` (the stored type of the
 * differences) instead of assuming it equals the array's type. Idempotent.
 *
 * @example
 * ```ts
 * registerDeltaAstype();
 * ```
 */
export function registerDeltaAstype(): void {
  if (zarr.registry.get("numcodecs.delta") !== loader) zarr.registry.set("numcodecs.delta", loader);
}
