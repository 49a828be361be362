/**
 * The host probe: what fresh memory costs on this machine compared with reused
 * memory, for allocation, file reads and a fused elementwise loop. Page faults
 * on freshly mapped memory can cost several times the work itself and vary from
 * host to host, so every benchmark row should say what the host's cost was.
 * @module
 */
import { mkdtempSync, openSync, closeSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** One measured probe: what was done, at how many GB/s (medians over the repeats), and the minor page faults per GB. */
export interface ProbeRow {
  name: string;
  gbPerSecond: number;
  minorFaultsPerGB: number;
}

/** Options of {@link probeHost}. */
export interface ProbeOptions {
  /** Bytes per buffer (default 151.6 MB, one quadratic-means chunk). */
  bytes?: number;
  /** Repeats per probe; the median is reported (default 5). */
  repeat?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(name: string, bytes: number, repeat: number, run: () => void): ProbeRow {
  const rates: number[] = [];
  const faults: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const f0 = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    run();
    const s = (performance.now() - t0) / 1000;
    rates.push(bytes / 1e9 / Math.max(s, 1e-9));
    faults.push(((process.resourceUsage().minorPageFault - f0) * 1e9) / bytes);
  }
  return { name, gbPerSecond: median(rates), minorFaultsPerGB: median(faults) };
}

/**
 * Measures fresh against reused memory on this host: allocating and filling a
 * new buffer each time versus filling one reused buffer; reading a file into a
 * new buffer (`readFileSync`) versus into a reused one (`readSync`); and
 * `u*u + v*v + u*v` into a new versus a reused output.
 *
 * @example
 * ```ts
 * console.log(formatProbe(probeHost({ bytes: 64e6, repeat: 3 })));
 * ```
 */
export function probeHost(options: ProbeOptions = {}): ProbeRow[] {
  const bytes = Math.max(8, Math.floor((options.bytes ?? 151_632_000) / 8) * 8);
  const repeat = Math.max(1, Math.floor(options.repeat ?? 5));
  const n = bytes / 8;
  const rows: ProbeRow[] = [];
  let sink = 0;
  rows.push(measure("allocate + fill a new Float64Array", bytes, repeat, () => {
    const a = new Float64Array(n);
    a.fill(1.5);
    sink += a[n - 1]!;
  }));
  const reused = new Float64Array(n);
  rows.push(measure("fill one reused Float64Array", bytes, repeat, () => {
    reused.fill(2.5);
    sink += reused[n - 1]!;
  }));
  const dir = mkdtempSync(join(tmpdir(), "cubed-probe-"));
  try {
    const file = join(dir, "chunk.bin");
    writeFileSync(file, new Uint8Array(reused.buffer));
    rows.push(measure("read a file into a new buffer (readFileSync)", bytes, repeat, () => {
      sink += readFileSync(file).length;
    }));
    const into = new Uint8Array(bytes);
    rows.push(measure("read a file into one reused buffer (readSync)", bytes, repeat, () => {
      const fd = openSync(file, "r");
      try {
        let off = 0;
        while (off < bytes) off += readSync(fd, into, off, bytes - off, off) || bytes;
      } finally {
        closeSync(fd);
      }
      sink += into[0]!;
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const u = reused;
  const v = new Float64Array(n).fill(0.5);
  const kernel = (out: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = u[i]! * u[i]! + v[i]! * v[i]! + u[i]! * v[i]!;
  };
  rows.push(measure("u*u + v*v + u*v into a new output", bytes, repeat, () => {
    const out = new Float64Array(n);
    kernel(out);
    sink += out[0]!;
  }));
  const out = new Float64Array(n);
  rows.push(measure("u*u + v*v + u*v into one reused output", bytes, repeat, () => {
    kernel(out);
    sink += out[0]!;
  }));
  if (Number.isNaN(sink)) throw new Error("unreachable: keeps the probes from being optimised away");
  return rows;
}

/**
 * The probe rows as a Markdown table (fits 80 columns).
 *
 * @example
 * ```ts
 * process.stdout.write(`${formatProbe(probeHost())}\n`);
 * ```
 */
export function formatProbe(rows: readonly ProbeRow[]): string {
  const lines = ["| probe on this host | GB/s | minor faults/GB |", "|---|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.name} | ${r.gbPerSecond.toFixed(2)} | ${Math.round(r.minorFaultsPerGB)} |`);
  return lines.join("\n");
}
