import { createHash } from "node:crypto";

/** Fault injection for testing the runtime: a deterministic fraction of task attempts fail or hang. */
export interface FaultOptions {
  /** Fraction of attempts that throw (0–1). */
  failRate?: number;
  /** Fraction of attempts that never finish (recovered only by `taskTimeoutMs`). */
  hangRate?: number;
  /** Varies which attempts are hit. */
  seed?: number;
}

/** The error an injected failure throws. */
export class InjectedFault extends Error {
  override readonly name = "InjectedFault";
}

/**
 * Fault options from `CUBED_FAULTS` (e.g. `fail=0.1,hang=0.02,seed=3`), or undefined.
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
