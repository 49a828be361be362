import { writeFileSync } from "node:fs";

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
