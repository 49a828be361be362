import type { TaskEndEvent } from "@cubed-ts/core";

/** One of the computes of a `--repeat` run (all on one executor: the first cold, the rest warm). */
export interface RepeatRun {
  /** 1 for the first (cold) compute. */
  run: number;
  wallSeconds: number;
  /** Input bytes / 10^9 / wallSeconds. */
  gbPerSecond: number;
  /** Minor page faults of the whole process (every thread) during the compute, per GB of input. */
  minorFaultsPerGB: number;
  /** Minor and major page faults of the whole process during the compute. */
  minorFaults: number;
  majorFaults: number;
  /** Peak RSS of the whole process during the compute (the high-water mark is reset before each). */
  peakRss: number;
  /** Bytes of new array buffers the compute's tasks made (0 when every buffer came from a warm pool). */
  allocBytes: number;
  /** Whether the results equal the first compute's exactly. */
  sameAsFirst: boolean;
}

/**
 * The numbers of one repeated compute: its tasks' events and the whole process's counts.
 *
 * @example
 * ```ts
 * const r = repeatRun(2, events, { wallSeconds: 1.2, inputBytes: 1.5e9, sameAsFirst: true, minorFaults: 4000, majorFaults: 0, peakRss: 9e8 });
 * r.minorFaultsPerGB; // 2667
 * ```
 */
export function repeatRun(
  run: number,
  events: readonly TaskEndEvent[],
  m: { wallSeconds: number; inputBytes: number; sameAsFirst: boolean; minorFaults: number; majorFaults: number; peakRss: number },
): RepeatRun {
  const gb = m.inputBytes / 1e9;
  return {
    run,
    wallSeconds: m.wallSeconds,
    gbPerSecond: gb / m.wallSeconds,
    minorFaultsPerGB: gb > 0 ? m.minorFaults / gb : 0,
    minorFaults: m.minorFaults,
    majorFaults: m.majorFaults,
    peakRss: m.peakRss,
    allocBytes: events.reduce((s, e) => s + (e.allocBytes ?? 0), 0),
    sameAsFirst: m.sameAsFirst,
  };
}

/**
 * The report lines of a `--repeat` run: one row per compute.
 *
 * @example
 * ```ts
 * console.log(formatRepeats(result.repeats ?? []).join("\n"));
 * ```
 */
export function formatRepeats(runs: readonly RepeatRun[]): string[] {
  if (runs.length === 0) return [];
  const rows = runs.map((r) => [
    `${r.run}${r.run === 1 ? " (cold)" : " (warm)"}`,
    `${r.wallSeconds.toFixed(3)} s`,
    r.gbPerSecond.toFixed(3),
    r.minorFaultsPerGB.toFixed(0),
    `${(r.allocBytes / 1e6).toFixed(1)} MB`,
    `${(r.peakRss / 1e6).toFixed(0)} MB`,
    r.sameAsFirst ? "yes" : "NO",
  ]);
  const header = ["run (one executor)", "wall", "GB/s", "minor faults/GB (process)", "new array bytes", "peak RSS", "same result"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}
