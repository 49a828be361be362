import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { ComputeLockedError } from "../errors.js";
import type { Plan } from "../plan/ir.js";
import { localPath, urlScheme } from "../storage/registry.js";

/** Who holds a compute lock. */
interface Holder {
  pid: number;
  host: string;
  startedAt: number;
  token: string;
}

/** A held lock; `release` is idempotent. */
export interface ComputeLock {
  release(): Promise<void>;
}

/** Options of {@link acquireComputeLock}. */
export interface ComputeLockOptions {
  /** A lock file of another host not refreshed for this long is stale. Default 120 s (refreshed every 20 s). */
  staleMs?: number;
}

/** Locks held by this process (every scheme), by lock URL. */
const heldHere = new Map<string, Holder>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

function locked(plan: Pick<Plan, "computeId" | "intermediateDir">, lockPath: string, h: Holder): ComputeLockedError {
  return new ComputeLockedError(
    `Another compute of this plan (computeId ${plan.computeId}) is running in the same work dir: pid ${h.pid} on host ` +
      `${h.host}, since ${new Date(h.startedAt).toISOString()}. Two computes of one plan would share (and clear) the same ` +
      `intermediate arrays. Wait for it to finish, or give this compute another workDir (new Spec({ workDir })); ` +
      `if that process is gone, delete ${lockPath}.`,
    lockPath,
    { pid: h.pid, host: h.host, startedAt: h.startedAt },
  );
}

/**
 * Takes the exclusive lock of a plan's intermediate dir (`<workDir>/cubed-<computeId>.lock`), so
 * two computes of the same plan sharing a work dir cannot clear or overwrite each other's
 * intermediates. Within a process the lock covers every store scheme; across processes it covers
 * local (`file://`) work dirs, through a file created exclusively. A lock whose holder is gone
 * (same host and its pid is not alive, or not refreshed for `staleMs`) is taken over, so a
 * compute killed mid-run can be resumed. Raises `ComputeLockedError` naming the holder otherwise.
 *
 * @example
 * ```ts
 * const lock = await acquireComputeLock(plan);
 * try { await run(); } finally { await lock.release(); }
 * ```
 */
export async function acquireComputeLock(
  plan: Pick<Plan, "computeId" | "intermediateDir">,
  options: ComputeLockOptions = {},
): Promise<ComputeLock> {
  const staleMs = options.staleMs ?? 120_000;
  const url = `${plan.intermediateDir}.lock`;
  const here = heldHere.get(url);
  const local = urlScheme(url) === "file";
  const path = local ? localPath(url) : url;
  if (here) throw locked(plan, path, here);
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: Date.now(), token: randomUUID() };
  heldHere.set(url, me);
  if (!local) return { release: async () => void (heldHere.get(url) === me && heldHere.delete(url)) };
  try {
    await mkdir(dirname(path), { recursive: true });
    for (let tries = 0; ; tries++) {
      try {
        const fh = await open(path, "wx");
        try {
          await fh.writeFile(JSON.stringify(me));
        } finally {
          await fh.close();
        }
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== "EEXIST" || tries >= 40) throw err;
      }
      let holder: Holder | undefined;
      let age = 0;
      try {
        age = Date.now() - (await stat(path)).mtimeMs;
        holder = JSON.parse(await readFile(path, "utf8")) as Holder;
      } catch {
        // gone meanwhile (retry), or being written by its creator (fresh unless old)
      }
      const stale =
        age > staleMs ||
        (holder !== undefined && holder.host === me.host && (holder.pid === process.pid || !pidAlive(holder.pid)));
      if (holder && !stale) throw locked(plan, path, holder);
      if (stale) await rm(path, { force: true });
      else await new Promise((r) => setTimeout(r, 50)); // unreadable: its creator is writing it
    }
  } catch (err) {
    heldHere.delete(url);
    throw err;
  }
  const beat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, Math.max(1000, staleMs / 6));
  beat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      heldHere.delete(url);
      try {
        const holder = JSON.parse(await readFile(path, "utf8")) as Holder;
        if (holder.token === me.token) await rm(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
