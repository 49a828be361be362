import { createHash } from "node:crypto";
import { ValueError } from "../errors.js";

/** Fault injection for testing the runtime: a deterministic fraction of task attempts fail or hang. */
export interface FaultOptions {
  /** Fraction of attempts that throw (0–1). */
  failRate?: number;
  /** Fraction of attempts that never finish, not even when aborted (rescued by backups or `taskTimeoutMs`). */
  hangRate?: number;
  /** Varies which attempts are hit (an integer). */
  seed?: number;
  /**
   * Every attempt of the in-process executor waits this long (ms) before it runs, and stops
   * waiting at once when aborted: makes a small compute last long enough to watch or interrupt.
   */
  slowMs?: number;
}

/**
 * Checks fault options: rates in [0, 1] whose sum is at most 1, an integer seed. `where` names
 * the option in the `ValueError` (`faults` or `CUBED_FAULTS`).
 *
 * @example
 * ```ts
 * validateFaultOptions({ failRate: 2 }, "faults"); // throws ValueError naming faults.failRate
 * ```
 */
export function validateFaultOptions(faults: FaultOptions, where: string): void {
  if (typeof faults !== "object" || faults === null) {
    throw new ValueError(`${where} must be an object like { failRate: 0.1, hangRate: 0.02, seed: 3 }, got ${String(faults)}.`, where);
  }
  for (const k of Object.keys(faults)) {
    if (k !== "failRate" && k !== "hangRate" && k !== "seed" && k !== "slowMs") {
      throw new ValueError(`${where}.${k} is not a fault option; the fields are failRate, hangRate, seed and slowMs.`, `${where}.${k}`);
    }
  }
  for (const k of ["failRate", "hangRate"] as const) {
    const v = faults[k];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= 1)) {
      throw new ValueError(`${where}.${k} must be a number from 0 to 1, got ${String(v)}.`, `${where}.${k}`);
    }
  }
  if ((faults.failRate ?? 0) + (faults.hangRate ?? 0) > 1) {
    throw new ValueError(`${where}: failRate + hangRate must be at most 1, got ${(faults.failRate ?? 0) + (faults.hangRate ?? 0)}.`, where);
  }
  if (faults.slowMs !== undefined && !(typeof faults.slowMs === "number" && faults.slowMs >= 0 && Number.isFinite(faults.slowMs))) {
    throw new ValueError(`${where}.slowMs must be a non-negative number of milliseconds, got ${String(faults.slowMs)}.`, `${where}.slowMs`);
  }
  if (faults.seed !== undefined && !(typeof faults.seed === "number" && Number.isSafeInteger(faults.seed))) {
    throw new ValueError(`${where}.seed must be an integer, got ${String(faults.seed)}.`, `${where}.seed`);
  }
}

/** The error an injected failure throws. */
export class InjectedFault extends Error {
  override readonly name = "InjectedFault";
}

/**
 * Fault options from `CUBED_FAULTS` (e.g. `fail=0.1,hang=0.02,seed=3`, `slow=300`), or undefined
 * when it is unset or empty. Anything else (an unknown key, a rate outside [0, 1], a non-number)
 * raises a `ValueError` naming `CUBED_FAULTS`.
 *
 * @example
 * ```ts
 * process.env.CUBED_FAULTS = "fail=0.1";
 * faultsFromEnv(); // { failRate: 0.1 }
 * ```
 */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultOptions | undefined {
  const spec = env.CUBED_FAULTS;
  if (spec === undefined || spec.trim() === "") return undefined;
  const names = { fail: "failRate", hang: "hangRate", seed: "seed", slow: "slowMs" } as const;
  const out: FaultOptions = {};
  for (const part of spec.split(",")) {
    const m = /^\s*(\w+)\s*=\s*(\S+)\s*$/.exec(part);
    const key = m ? names[m[1] as keyof typeof names] : undefined;
    const n = m ? Number(m[2]) : NaN;
    if (!m || !key || m[2]!.trim() === "" || Number.isNaN(n)) {
      throw new ValueError(
        `CUBED_FAULTS=${JSON.stringify(spec)}: cannot read ${JSON.stringify(part)}; expected comma-separated ` +
          "fail=<0..1>, hang=<0..1>, seed=<integer>, slow=<ms>, e.g. fail=0.1,hang=0.02,seed=3.",
        "CUBED_FAULTS",
      );
    }
    out[key] = n;
  }
  validateFaultOptions(out, "CUBED_FAULTS");
  return out;
}

/** What an attempt does under `faults`: a pure function of (seed, op, coords, attempt). */
export function faultFor(faults: FaultOptions | undefined, opId: string, coords: readonly number[], attempt: number): "ok" | "fail" | "hang" {
  if (!faults || (!faults.failRate && !faults.hangRate)) return "ok";
  const h = createHash("sha256").update(`${faults.seed ?? 0}|${opId}|${coords.join(",")}|${attempt}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  if (u < (faults.failRate ?? 0)) return "fail";
  if (u < (faults.failRate ?? 0) + (faults.hangRate ?? 0)) return "hang";
  return "ok";
}

/**
 * Waits `faults.slowMs` (if set); rejects with the signal's reason as soon as `signal` is aborted.
 *
 * @example
 * ```ts
 * await slowFault({ slowMs: 300 }, signal); // then run the task
 * ```
 */
export function slowFault(faults: FaultOptions | undefined, signal: AbortSignal): Promise<void> {
  const ms = faults?.slowMs ?? 0;
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
