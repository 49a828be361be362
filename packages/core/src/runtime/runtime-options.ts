import { ValueError } from "../errors.js";
import { type FaultOptions, faultsFromEnv, validateFaultOptions } from "./faults.js";

/**
 * Straggler mitigation: a copy of a task that runs far longer than its peers gets a backup copy;
 * the first copy to finish wins and the others are aborted. Safe because chunk writes are atomic
 * and tasks idempotent. With the defaults a hung attempt is always rescued, with no timeout set.
 */
export interface BackupOptions {
  /** An op's own median is trusted once min(this, the op's task count) of its tasks have started. Default 10. */
  minTasks?: number;
  /** ... and once this fraction of the op's tasks has finished (0–1). Default 0.5. */
  minCompletedFraction?: number;
  /** A copy is slow when it has run longer than this × its op's median finished duration. Default 3. */
  slowFactor?: number;
  /**
   * For an op whose own median is not trusted yet (few tasks, or too few finished), a copy is
   * slow when it has run longer than this × the larger of the op's median so far and the 90th
   * percentile of every task finished in the compute (once `minTasks` of them have). Default 10.
   */
  fallbackFactor?: number;
  /** A copy is never slow before this many ms (timer resolution, scheduling noise). Default 100. */
  minSlowMs?: number;
  /** When nothing in the compute has finished yet to compare with, a copy is slow after this many ms. Default 60 000. */
  noReferenceMs?: number;
  /** Backup copies of one task running at once (a backup that is slow itself gets a backup). Default 2. */
  maxBackups?: number;
}

/** The runtime's reliability options, shared by every executor. */
export interface RuntimeOptions {
  /** Tasks in flight at once (across the independent ops of a stage); a positive integer. */
  concurrency?: number;
  /** Failed attempts retried per task (backup copies do not count). Default 3. */
  retries?: number;
  /** First retry delay in ms; doubles per attempt, with full jitter, capped at 10 s. Default 200. */
  retryDelayMs?: number;
  /** Launch backup copies of stragglers (safe because chunk writes are atomic and tasks idempotent). Default true. */
  useBackups?: boolean | BackupOptions;
  /** An attempt running longer than this counts as failed and is retried. Default: no timeout (backups rescue hangs). */
  taskTimeoutMs?: number;
  /** Fault injection for tests (also read from `CUBED_FAULTS`). */
  faults?: FaultOptions;
  /**
   * How long the run waits at its end (or on failure) for attempts still running (a losing
   * backup, a timed-out attempt, the other tasks of a failed stage) to finish, so that nothing
   * writes after `compute` returns. Past it they are abandoned (they were aborted, so they write
   * nothing more once they look at their signal). Stragglers that got a backup are presumed hung
   * and not waited for. Default: `taskTimeoutMs` if set, else 10 s
   * (executors whose attempts cannot be cancelled, like Lambda's, default to 0).
   */
  drainTimeoutMs?: number;
}

/** Backup settings with every default filled in. */
export type ResolvedBackupOptions = Required<BackupOptions>;

/** The backup defaults. */
export const DEFAULT_BACKUPS: ResolvedBackupOptions = {
  minTasks: 10, minCompletedFraction: 0.5, slowFactor: 3, fallbackFactor: 10, minSlowMs: 100, noReferenceMs: 60_000, maxBackups: 2,
};

/** Default retries per task. */
export const DEFAULT_RETRIES = 3;

type Rule = "positive integer" | "non-negative integer" | "non-negative number" | "positive number" | "fraction";

function check(name: string, value: unknown, rule: Rule): void {
  if (value === undefined) return;
  const n = value as number;
  const ok =
    typeof value === "number" &&
    Number.isFinite(n) &&
    (rule === "positive integer" ? Number.isInteger(n) && n >= 1
      : rule === "non-negative integer" ? Number.isInteger(n) && n >= 0
        : rule === "positive number" ? n > 0
          : rule === "fraction" ? n >= 0 && n <= 1
            : n >= 0);
  if (ok) return;
  const range = rule === "fraction" ? "a number from 0 to 1" : `a finite ${rule}`;
  throw new ValueError(`Executor option ${name} must be ${range}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`, name);
}

/**
 * Checks every runtime option (and `CUBED_FAULTS` when `faults` is not given): a NaN, infinite,
 * negative or non-integer value raises a `ValueError` naming the option and its allowed range.
 * Executors call it in their constructors; `runPlan` calls it again before any task runs.
 *
 * @example
 * ```ts
 * validateRuntimeOptions({ retries: -1 }); // throws ValueError: Executor option retries must be a finite non-negative integer, got -1.
 * ```
 */
export function validateRuntimeOptions(options: RuntimeOptions): void {
  check("concurrency", options.concurrency, "positive integer");
  check("retries", options.retries, "non-negative integer");
  check("retryDelayMs", options.retryDelayMs, "non-negative number");
  check("taskTimeoutMs", options.taskTimeoutMs, "positive number");
  check("drainTimeoutMs", options.drainTimeoutMs, "non-negative number");
  const b = options.useBackups;
  if (b !== undefined && typeof b !== "boolean" && (typeof b !== "object" || b === null)) {
    throw new ValueError(`Executor option useBackups must be a boolean or a BackupOptions object, got ${String(b)}.`, "useBackups");
  }
  if (typeof b === "object") {
    check("useBackups.minTasks", b.minTasks, "positive integer");
    check("useBackups.minCompletedFraction", b.minCompletedFraction, "fraction");
    check("useBackups.slowFactor", b.slowFactor, "positive number");
    check("useBackups.fallbackFactor", b.fallbackFactor, "positive number");
    check("useBackups.minSlowMs", b.minSlowMs, "non-negative number");
    check("useBackups.noReferenceMs", b.noReferenceMs, "positive number");
    check("useBackups.maxBackups", b.maxBackups, "positive integer");
  }
  if (options.faults !== undefined) validateFaultOptions(options.faults, "faults");
  else faultsFromEnv();
}

/**
 * The backup settings `useBackups` stands for, or undefined when backups are off.
 *
 * @example
 * ```ts
 * resolveBackups({ slowFactor: 5 })?.maxBackups; // 2
 * ```
 */
export function resolveBackups(useBackups: RuntimeOptions["useBackups"]): ResolvedBackupOptions | undefined {
  if (useBackups === false) return undefined;
  return { ...DEFAULT_BACKUPS, ...(typeof useBackups === "object" ? stripUndefined(useBackups) : {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
