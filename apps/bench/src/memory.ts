import { writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The process's peak resident set size so far, in bytes (`getrusage` maxRSS).
 *
 * @example
 * ```ts
 * console.log(`peak ${(peakRss() / 1e9).toFixed(2)} GB`);
 * ```
 */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Resets the kernel's peak-RSS high-water mark of this process to the current
 * RSS (Linux: writes `5` to `/proc/self/clear_refs`), so a later {@link peakRss}
 * measures only what happened after the reset. Returns false where that is not
 * possible (other platforms, or /proc not writable); the peak then covers the
 * whole process lifetime.
 *
 * @example
 * ```ts
 * const clean = resetPeakRss();
 * await work();
 * console.log(peakRss(), clean ? "since reset" : "since process start");
 * ```
 */
export function resetPeakRss(): boolean {
  if (process.platform !== "linux") return false;
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

let gcFn: (() => void) | null | undefined;

/**
 * Runs a full garbage collection if one can be triggered (`--expose-gc`, or
 * enabled at run time through V8's flags), so memory freed by earlier work
 * (e.g. writing the inputs) is returned before a measurement starts. Returns
 * false when no collection could be triggered.
 *
 * @example
 * ```ts
 * collectGarbage();
 * resetPeakRss();
 * ```
 */
export function collectGarbage(): boolean {
  if (gcFn === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === "function") {
      gcFn = existing;
    } else {
      try {
        setFlagsFromString("--expose-gc");
        const fn: unknown = runInNewContext("gc");
        gcFn = typeof fn === "function" ? (fn as () => void) : null;
      } catch {
        gcFn = null;
      }
    }
  }
  if (gcFn === null) return false;
  gcFn();
  return true;
}
