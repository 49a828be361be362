/**
 * JSON as Zarr metadata uses it: Python's encoder writes bare `NaN`,
 * `Infinity` and `-Infinity` tokens in attributes, and 64-bit integers.
 * @module
 */

const SENTINEL = "@@cubed-json@@";

/**
 * Parses JSON that may contain bare NaN/Infinity/-Infinity tokens (as Python writes them).
 *
 * @example
 * ```ts
 * parseJson('{"a": NaN}'); // { a: NaN }
 * ```
 */
export function parseJson(text: string): unknown {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[++i] ?? "";
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const rest = text.slice(i, i + 9);
    if (rest.startsWith("NaN")) {
      out += `"${SENTINEL}NaN"`;
      i += 2;
    } else if (rest.startsWith("-Infinity")) {
      out += `"${SENTINEL}-Infinity"`;
      i += 8;
    } else if (rest.startsWith("Infinity")) {
      out += `"${SENTINEL}Infinity"`;
      i += 7;
    } else out += c;
  }
  return JSON.parse(out, (_k, v: unknown) => {
    if (typeof v === "string" && v.startsWith(SENTINEL)) return Number(v.slice(SENTINEL.length));
    return v;
  });
}

/** A number written with a decimal point even when integral (`-9999.0`), as Python writes a float. */
export class FloatNumber {
  constructor(readonly value: number) {}
}

/**
 * Serialises metadata: bigints as integer literals, non-finite numbers as bare
 * tokens (Python reads them), non-ASCII characters as `\\uXXXX` escapes (as Python's
 * `json.dumps` does; zarr-python 2.13 cannot read UTF-8 metadata).
 *
 * @example
 * ```ts
 * toJson({ fill: -9223372036854775808n, x: NaN }); // '{\n  "fill": -9223372036854775808,\n  "x": NaN\n}'
 * ```
 */
export function toJson(value: unknown, indent = 2): string {
  const marks = new Map<string, string>();
  let n = 0;
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (v instanceof FloatNumber) {
        const key = `${SENTINEL}${n++}`;
        const x = v.value;
        marks.set(key, Number.isNaN(x) ? "NaN" : !Number.isFinite(x) ? (x > 0 ? "Infinity" : "-Infinity") : Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : String(x));
        return key;
      }
      if (typeof v === "bigint" || (typeof v === "number" && !Number.isFinite(v))) {
        const key = `${SENTINEL}${n++}`;
        marks.set(key, typeof v === "bigint" ? v.toString() : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return key;
      }
      return v;
    },
    indent,
  );
  // ASCII only, as Python's json.dumps writes it: zarr-python 2.13 decodes metadata as ASCII
  return text
    .replace(new RegExp(`"${SENTINEL}(\\d+)"`, "g"), (_m, k: string) => marks.get(`${SENTINEL}${k}`)!)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** UTF-8 bytes of a JSON document. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(toJson(value));
}
