/**
 * Zarr v3 float fill values written as raw bits (`"0x7fc00000"`), turned into what zarrita
 * understands (`"NaN"`, `"Infinity"`, `"-Infinity"` or a number). zarrita would otherwise
 * fill missing chunks with the hex string read as an integer.
 * @module
 */
import type { Store } from "./store.js";

const FLOAT_BITS: Record<string, number> = { float32: 4, float64: 8 };

/**
 * The JSON fill value a hex bit pattern of `dtype` stands for; `undefined` when `value` is
 * not a hex fill of a float dtype (or has the wrong number of digits).
 *
 * @example
 * ```ts
 * hexFillValue("float32", "0x7fc00000"); // "NaN"
 * hexFillValue("float64", "0x3ff0000000000000"); // 1
 * ```
 */
export function hexFillValue(dtype: unknown, value: unknown): number | string | undefined {
  const size = typeof dtype === "string" ? FLOAT_BITS[dtype] : undefined;
  if (size === undefined || typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value) || value.length !== 2 + 2 * size) return undefined;
  const view = new DataView(new ArrayBuffer(8));
  const v = size === 4 ? (view.setUint32(0, Number.parseInt(value.slice(2), 16)), view.getFloat32(0)) : (view.setBigUint64(0, BigInt(value)), view.getFloat64(0));
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

/**
 * A read-only view of `store` for zarrita in which every `zarr.json` with a hex float fill
 * value has it replaced by {@link hexFillValue}.
 *
 * @example
 * ```ts
 * const arr = await zarr.open(zarr.root(withCanonicalFill(store)), { kind: "array" });
 * ```
 */
export function withCanonicalFill(store: Store): Pick<Store, "get" | "getRange"> {
  return {
    async get(key, options) {
      const bytes = await store.get(key, options);
      if (bytes === undefined || !key.endsWith("zarr.json")) return bytes;
      let doc: { data_type?: unknown; fill_value?: unknown };
      try {
        doc = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return bytes;
      }
      const fill = hexFillValue(doc.data_type, doc.fill_value);
      if (fill === undefined) return bytes;
      return new TextEncoder().encode(JSON.stringify({ ...doc, fill_value: fill }));
    },
    ...(store.getRange ? { getRange: store.getRange.bind(store) } : {}),
  };
}
