/**
 * Text reprs in the style of xarray's: header with dims and size, the values
 * (or chunk info for lazy data), coordinates (`*` marks indexed ones), dims
 * without coordinates, data variables and attributes.
 * @module
 */
import type { NDArray } from "@cubed-ts/core";
import { StringArray } from "../dtypes.js";
import { formatDate } from "../time.js";
import { formatAttr } from "./coords.js";
import type { DataArray } from "./dataarray.js";
import type { Dataset } from "./dataset.js";
import type { Variable } from "./variable.js";

const MAX_INLINE = 6;

/** Python's `f"{x:.4}"`: 4 significant digits, fixed or scientific, at least one decimal. */
export function formatFloat4(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const exp = Number(x.toExponential(3).split("e")[1]);
  if (exp >= -4 && exp < 4) {
    let t = x.toFixed(Math.max(0, 3 - exp));
    if (t.includes(".")) t = t.replace(/0+$/, "").replace(/\.$/, ".0");
    else t += ".0";
    return t;
  }
  const [m, e] = x.toExponential(3).split("e");
  const mant = m!.includes(".") ? m!.replace(/0+$/, "").replace(/\.$/, "") : m!;
  const n = Number(e);
  return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

/** Bytes as xarray prints them: 48B, 1.2kB, 3.4MB (powers of 1000). @example `formatBytes(1234) // "1.23kB"` */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v}B` : `${Number(v.toFixed(v < 10 ? 2 : 1))}${units[i]}`;
}

function fmtValue(v: number | bigint | string, datetime: boolean, dtype: string, full = false): string {
  if (typeof v === "string") return `'${v}'`;
  if (datetime) return formatDate(Number(v));
  if (typeof v === "bigint") return v.toString();
  if (dtype === "bool") return v ? "True" : "False";
  if (dtype.startsWith("float")) {
    if (!full) return formatFloat4(v);
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    return Number.isInteger(v) ? `${v}.` : String(Number(v.toPrecision(dtype === "float32" ? 7 : 15)));
  }
  return String(v);
}

function flatValues(v: Variable): (number | bigint | string)[] {
  const d = v.data;
  if (d instanceof StringArray) return [...d.data];
  return Array.from((d as NDArray).data as ArrayLike<number | bigint>);
}

/** Inline summary of a variable's data: values, or chunk info when lazy. */
function inlineData(v: Variable): string {
  if (v.isChunked) {
    const chunks = v.chunks!.map((c) => c[0]!);
    return `${v.backend!.name}.Array<chunksize=(${chunks.join(", ")}${chunks.length === 1 ? "," : ""})>`;
  }
  const vals = flatValues(v);
  const f = (x: number | bigint | string): string => fmtValue(x, v.isDatetime, v.dtype);
  if (vals.length <= MAX_INLINE) return vals.map(f).join(" ");
  return `${vals.slice(0, 3).map(f).join(" ")} ... ${vals.slice(-3).map(f).join(" ")}`;
}

/** xarray's column width: the longest name (at least 7) plus 6. */
function colWidth(names: Iterable<string>): number {
  let m = 7;
  for (const n of names) m = Math.max(m, n.length);
  return m + 6;
}

function variableLine(name: string, v: Variable, marker: string, col: number): string {
  const dims = v.ndim ? `(${v.dims.join(", ")}) ` : "";
  return `${`  ${marker} ${name} `.padEnd(col)}${dims}${v.dtype} ${formatBytes(v.nbytes)} ${inlineData(v)}`;
}

function attrsSection(attrs: Record<string, unknown>, col: number): string[] {
  const keys = Object.keys(attrs);
  if (!keys.length) return [];
  return ["Attributes:", ...keys.map((k) => `${`    ${k}:`.padEnd(col)} ${formatAttr(attrs[k] as never)}`)];
}

/** The values of a DataArray block (nested, truncated), or the lazy array summary. */
function dataBlock(v: Variable): string {
  if (v.isChunked) {
    const chunks = v.chunks!.map((c) => c[0]!);
    return `${v.backend!.name}.Array<${v.dtype}, shape=(${v.shape.join(", ")}), chunksize=(${chunks.join(", ")})>`;
  }
  const vals = flatValues(v);
  const f = (x: number | bigint | string): string => fmtValue(x, v.isDatetime, v.dtype, true);
  if (v.ndim === 0) return f(vals[0]!);
  if (vals.length > 50) return `array([${vals.slice(0, 3).map(f).join(", ")}, ..., ${vals.slice(-3).map(f).join(", ")}])`;
  const build = (d: number, off: number): string => {
    const stride = v.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    if (d === v.ndim - 1) return `[${vals.slice(off, off + v.shape[d]!).map(f).join(", ")}]`;
    const rows: string[] = [];
    for (let i = 0; i < v.shape[d]!; i++) rows.push(build(d + 1, off + i * stride));
    return `[${rows.join(`,\n${" ".repeat(7 + d)}`)}]`;
  };
  return `array(${build(0, 0)})`;
}

/** The repr of a DataArray. */
export function formatDataArray(da: DataArray): string {
  const name = da.name === null ? "" : ` '${da.name}'`;
  const dims = da.dims.map((d) => `${d}: ${da.sizes[d]}`).join(", ");
  const lines = [`<DataArray${name} (${dims})> Size: ${formatBytes(da.nbytes)}`, dataBlock(da.variable)];
  const coords = da.coords;
  const col = colWidth([...coords.names, ...da.dims]);
  if (coords.size) {
    lines.push("Coordinates:");
    for (const [k, v] of coords.entries()) lines.push(variableLine(k, v, coords.isIndex(k) ? "*" : " ", col));
  }
  const bare = da.dims.filter((d) => !coords.has(d));
  if (bare.length) lines.push(`Dimensions without coordinates: ${bare.join(", ")}`);
  lines.push(...attrsSection(da.attrs, col));
  return lines.join("\n");
}

/** The repr of a Dataset. */
export function formatDataset(ds: Dataset): string {
  const sizes = ds.sizes;
  const lines = [`<Dataset> Size: ${formatBytes(ds.nbytes)}`, `Dimensions:  (${Object.entries(sizes).map(([d, n]) => `${d}: ${n}`).join(", ")})`];
  const coords = ds.coords;
  const col = colWidth([...ds.variables.keys(), ...Object.keys(sizes)]);
  if (coords.size) {
    lines.push("Coordinates:");
    for (const [k, v] of coords.entries()) lines.push(variableLine(k, v, coords.isIndex(k) ? "*" : " ", col));
  }
  const bare = Object.keys(sizes).filter((d) => !coords.has(d));
  if (bare.length) lines.push(`Dimensions without coordinates: ${bare.join(", ")}`);
  lines.push("Data variables:");
  const names = ds.dataVars;
  if (!names.length) lines.push("    *empty*");
  for (const k of names) lines.push(variableLine(k, ds.variables.get(k)!, " ", col));
  lines.push(...attrsSection(ds.attrs, col));
  return lines.join("\n");
}
