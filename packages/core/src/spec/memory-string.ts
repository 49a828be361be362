import { ValueError } from "../errors.js";

const UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
};

/** Memory as bytes (a non-negative integer) or a string like `"500MB"`, `"2GB"`, `"512MiB"`. */
export type MemoryInput = number | string;

/**
 * Parses a memory amount into bytes. Decimal units (kB, MB, GB, TB, PB) are
 * powers of 1000, binary units (KiB, MiB, GiB, TiB, PiB) powers of 1024.
 *
 * @example
 * ```ts
 * parseMemory("2GB");     // 2_000_000_000
 * parseMemory("1.5GiB");  // 1_610_612_736
 * parseMemory(1024);      // 1024
 * ```
 */
export function parseMemory(value: MemoryInput, argument = "memory"): number {
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else if (typeof value === "string") {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)\s*$/.exec(value);
    const unit = m?.[2] === "" ? "B" : m?.[2];
    if (!m || unit === undefined || !(unit in UNITS)) {
      throw new ValueError(
        `Invalid ${argument} ${JSON.stringify(value)}: expected a number of bytes or a number followed by ` +
          `one of ${Object.keys(UNITS).join(", ")} (e.g. "2GB", "512MiB").`,
        argument,
      );
    }
    bytes = Number(m[1]) * UNITS[unit]!;
  } else {
    throw new ValueError(`Invalid ${argument} ${JSON.stringify(value)}: expected a number or a string like "2GB".`, argument);
  }
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new ValueError(`Invalid ${argument} ${JSON.stringify(value)}: memory must be a finite, non-negative amount.`, argument);
  }
  return Math.round(bytes);
}

/**
 * Formats bytes for people, in decimal units: `2.0 GB`, `151.6 MB`.
 *
 * @example
 * ```ts
 * formatMemory(2e9); // "2.0 GB"
 * ```
 */
export function formatMemory(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${v.toFixed(1)} ${units[i]}`;
}
