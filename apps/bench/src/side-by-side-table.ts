/**
 * The side-by-side table: each engine's runs reduced to medians and ranges, and the
 * Markdown that docs/benchmarks.md quotes.
 * @module
 */
import type { EngineSpec, RunSample } from "./side-by-side-engines.js";

/** One engine's row: what it is, its runs, and what they reduce to (absent when it did not run). */
export interface EngineRow {
  id: string;
  engine: string;
  executor: string;
  inputs: string;
  t: number;
  inputBytes: number;
  /** Why the engine did not run (e.g. `not installed (no PyPI here)`); absent when it ran. */
  unavailable?: string;
  samples: RunSample[];
  computeSeconds?: { median: number; min: number; max: number };
  /** inputBytes / 10^9 / median compute seconds. */
  gbPerSecond?: number;
  /** Median and largest whole-process peak RSS over the runs. */
  peakRss?: { median: number; max: number };
  /** Median over the runs of minor page faults per 10^9 bytes of input. */
  minorFaultsPerGB?: number;
  /** This row's GB/s over Dask's (above 1: faster than Dask); absent without a Dask row. */
  ratioVsDask?: number;
  /** Largest max-abs-difference of its means against its input group's reference run, over its runs. */
  maxAbsDiff?: number;
  /** The id of the engine whose first run is the reference of its input group. */
  reference?: string;
}

/**
 * The median (mean of the middle two for an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Reduces an engine's runs to its row (without the Dask ratio, which needs every row:
 * see {@link withDaskRatios}).
 *
 * @example
 * ```ts
 * const row = summariseEngine(spec, samples, { maxAbsDiff: 4e-16, reference: "cubed-ts-threads-zp" });
 * row.computeSeconds?.median;
 * ```
 */
export function summariseEngine(spec: EngineSpec, samples: readonly RunSample[], agreement: { maxAbsDiff?: number; reference?: string } = {}): EngineRow {
  const base = { id: spec.id, engine: spec.engine, executor: spec.executor, inputs: spec.inputs, t: spec.t, inputBytes: spec.inputBytes, samples: [...samples] };
  if (spec.unavailable !== undefined) return { ...base, unavailable: spec.unavailable };
  if (samples.length === 0) return base;
  const secs = samples.map((s) => s.computeSeconds);
  const med = median(secs);
  return {
    ...base,
    computeSeconds: { median: med, min: Math.min(...secs), max: Math.max(...secs) },
    gbPerSecond: spec.inputBytes / 1e9 / med,
    peakRss: { median: median(samples.map((s) => s.peakRss)), max: Math.max(...samples.map((s) => s.peakRss)) },
    minorFaultsPerGB: median(samples.map((s) => s.minorFaults / (s.inputBytes / 1e9))),
    ...(agreement.maxAbsDiff !== undefined ? { maxAbsDiff: agreement.maxAbsDiff } : {}),
    ...(agreement.reference !== undefined ? { reference: agreement.reference } : {}),
  };
}

/**
 * Adds each measured row's GB/s relative to the Dask row's (the row whose id starts with `dask`).
 *
 * @example
 * ```ts
 * const rows = withDaskRatios(engines.map((e) => summariseEngine(e, samples.get(e.id) ?? [])));
 * ```
 */
export function withDaskRatios(rows: readonly EngineRow[]): EngineRow[] {
  const dask = rows.find((r) => r.id.startsWith("dask") && r.gbPerSecond !== undefined)?.gbPerSecond;
  return rows.map((r) => (dask !== undefined && r.gbPerSecond !== undefined ? { ...r, ratioVsDask: r.gbPerSecond / dask } : { ...r }));
}

function bytes(b: number): string {
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(0)} MB` : `${(b / 1e3).toFixed(0)} kB`;
}

function secs(s: number): string {
  return s >= 10 ? s.toFixed(1) : s >= 0.1 ? s.toFixed(2) : s.toFixed(3);
}

/**
 * The rows as a Markdown table: engine | executor | inputs | compute s (median, min–max) |
 * GB/s | peak RSS | minor faults/GB | ratio vs Dask. An engine that did not run says why
 * in the compute column and has no numbers.
 *
 * @example
 * ```ts
 * console.log(formatSideBySideTable(result.rows));
 * ```
 */
export function formatSideBySideTable(rows: readonly EngineRow[]): string {
  const lines = [
    "| engine | executor | inputs | compute s (median, min–max) | GB/s | peak RSS (process) | minor faults/GB | GB/s vs Dask |",
    "|---|---|---|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const inputs = `${r.inputs}, t = ${r.t} (${bytes(r.inputBytes)})`;
    if (r.computeSeconds === undefined) {
      lines.push(`| ${r.engine} | ${r.executor} | ${inputs} | ${r.unavailable ?? "not run"} | – | – | – | – |`);
      continue;
    }
    const c = r.computeSeconds;
    const n = r.samples.length;
    lines.push(
      `| ${r.engine} | ${r.executor} | ${inputs} | ${secs(c.median)} (${secs(c.min)}–${secs(c.max)}, ${n} run${n === 1 ? "" : "s"}) | ` +
        `${r.gbPerSecond!.toFixed(2)} | ${bytes(r.peakRss!.median)} | ${Math.round(r.minorFaultsPerGB!).toLocaleString("en-US")} | ` +
        `${r.ratioVsDask === undefined ? "–" : `${r.ratioVsDask.toFixed(2)}×`} |`,
    );
  }
  return lines.join("\n");
}
