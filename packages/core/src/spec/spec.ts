import { tmpdir } from "node:os";
import { ValueError } from "../errors.js";
import { type MemoryInput, formatMemory, parseMemory } from "./memory-string.js";
import type { DagExecutor } from "../runtime/executor.js";
import { type CompressorConfig, parseCompressor } from "../storage/codecs.js";

/** Options of {@link Spec}. */
export interface SpecOptions {
  /** Where intermediate Zarr arrays go: a path or URL (`file://`, `memory://`, `s3://` with its package). Default: the OS temp dir. */
  workDir?: string;
  /** Memory one task may use, including `reservedMem`. Default `"2GB"`. */
  allowedMem?: MemoryInput;
  /** Memory a worker uses before any task data (runtime, code, codecs). Default `"100MB"` (a Node 20 worker with core loaded measures ~60-70 MB RSS). */
  reservedMem?: MemoryInput;
  /** Compressor for intermediate arrays: `null` (default, fastest on local disk), `"zstd"`, `"gzip"`, or a config object. */
  zarrCompressor?: CompressorConfig | "zstd" | "gzip" | null;
  /** The executor `compute()` uses when none is passed. Default: the in-process executor. */
  executor?: DagExecutor;
  /** Modules that register user kernels; workers import them before running tasks. */
  kernelModules?: string[];
}

/** The keys {@link SpecOptions} has; any other key is a typo (e.g. cubed's `allowed_mem`). */
const SPEC_OPTION_KEYS = Object.keys({
  workDir: true, allowedMem: true, reservedMem: true, zarrCompressor: true, executor: true, kernelModules: true,
} satisfies Record<keyof SpecOptions, true>);

/** The serialisable part of a Spec, as stored in a plan. */
export interface SpecData {
  workDir: string;
  allowedMem: number;
  reservedMem: number;
  zarrCompressor: CompressorConfig | null;
  kernelModules: string[];
}

/**
 * Resources and storage for a computation: the memory bound per task, the
 * work directory for intermediates, and the default executor.
 *
 * @example
 * ```ts
 * const spec = new Spec({ workDir: "/tmp/cubed", allowedMem: "2GB" });
 * const x = zeros([1000, 1000], { chunks: [100, 100], spec });
 * ```
 */
export class Spec {
  readonly workDir: string;
  readonly allowedMem: number;
  readonly reservedMem: number;
  readonly zarrCompressor: CompressorConfig | null;
  readonly executor: DagExecutor | undefined;
  readonly kernelModules: readonly string[];

  constructor(options: SpecOptions = {}) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new ValueError(`Spec takes an options object, got ${options === null ? "null" : typeof options}.`, "options");
    }
    const unknown = Object.keys(options).filter((k) => !SPEC_OPTION_KEYS.includes(k));
    if (unknown.length) {
      throw new ValueError(
        `Unknown Spec option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; ` +
          `valid options are ${SPEC_OPTION_KEYS.join(", ")} (camelCase, e.g. allowedMem: "2GB").`,
        unknown[0],
      );
    }
    this.workDir = options.workDir ?? tmpdir();
    if (typeof this.workDir !== "string" || this.workDir === "") {
      throw new ValueError(`Invalid workDir ${JSON.stringify(options.workDir)}: expected a path or URL.`, "workDir");
    }
    this.allowedMem = parseMemory(options.allowedMem ?? "2GB", "allowedMem");
    this.reservedMem = parseMemory(options.reservedMem ?? "100MB", "reservedMem");
    if (this.reservedMem >= this.allowedMem) {
      throw new ValueError(
        `reservedMem (${this.reservedMem} B) must be smaller than allowedMem (${this.allowedMem} B): ` +
          `tasks would have no memory for data. Raise allowedMem or lower reservedMem.`,
        "reservedMem",
      );
    }
    this.zarrCompressor = parseCompressor(options.zarrCompressor ?? null, "zarrCompressor");
    this.executor = options.executor;
    this.kernelModules = [...(options.kernelModules ?? [])];
  }

  /** The plain-data view stored in plans (never includes the executor or credentials). */
  toData(): SpecData {
    return {
      workDir: this.workDir,
      allowedMem: this.allowedMem,
      reservedMem: this.reservedMem,
      zarrCompressor: this.zarrCompressor,
      kernelModules: [...this.kernelModules],
    };
  }

  /** The Spec's settings, for messages: `Spec(workDir "/tmp/a", allowedMem 2 GB, …)`. */
  toString(): string {
    const compressor = this.zarrCompressor ? `${this.zarrCompressor.name} level ${this.zarrCompressor.level}` : "none";
    return (
      `Spec(workDir ${JSON.stringify(this.workDir)}, allowedMem ${formatMemory(this.allowedMem)}, reservedMem ${formatMemory(this.reservedMem)}, ` +
      `zarrCompressor ${compressor}` +
      (this.kernelModules.length ? `, kernelModules [${this.kernelModules.join(", ")}]` : "") +
      (this.executor ? `, executor ${this.executor.constructor?.name ?? "custom"}` : "") +
      ")"
    );
  }

  /** True when two specs describe the same resources and storage. */
  equals(other: Spec): boolean {
    return (
      this === other ||
      (JSON.stringify(this.toData()) === JSON.stringify(other.toData()) && this.executor === other.executor)
    );
  }
}

let defaultSpec: Spec | undefined;

/** The spec used when none is given (created on first use with the defaults). */
export function getDefaultSpec(): Spec {
  defaultSpec ??= new Spec();
  return defaultSpec;
}
