import { createHash } from "node:crypto";

/** Fault injection for testing the runtime: a deterministic fraction of task attempts fail or hang. */
export interface FaultOptions {
  /** Fraction of attempts that throw (0–1). */
  failRate?: number;
  /** Fraction of attempts that never finish (recovered only by `taskTimeoutMs`). */
  hangRate?: number;
  /** Varies which attempts are hit. */
  seed?: number;
  /**
   * Every attempt of the in-process executor waits this long (ms) before it runs, and stops
   * waiting at once when aborted: makes a small compute last long enough to watch or interrupt.
   */
  slowMs?: number;
}

/** The error an injected failure throws. */
export class InjectedFault extends Error {
  override readonly name = "InjectedFault";
}

/**
 * Fault options from `CUBED_FAULTS` (e.g. `fail=0.1,hang=0.02,seed=3`, `slow=300`), or undefined.
 *
 * @example
 * ```ts
 * process.env.CUBED_FAULTS = "fail=0.1";
 * faultsFromEnv(); // { failRate: 0.1 }
 * ```
 */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultOptions | undefined {
  const spec = env.CUBED_FAULTS;
  if (!spec) return undefined;
  const out: FaultOptions = {};
  for (const part of spec.split(",")) {
    const [k, v] = part.split("=");
    const n = Number(v);
    if (k === "fail") out.failRate = n;
    else if (k === "hang") out.hangRate = n;
    else if (k === "seed") out.seed = n;
    else if (k === "slow") out.slowMs = n;
  }
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
