import type { TaskEndEvent } from "@cubed-ts/core";

/** What `--profile` reports for one op: sums over its tasks of the per-task profile fields core's `runTask` measures. */
export interface OpProfile {
  opId: string;
  /** Tasks that reported a profile. */
  tasks: number;
  bytesRead: number;
  /** Bytes of new array buffers allocated by the tasks' threads (fresh pool buffers and `allocate`). */
  allocBytes: number;
  /** Process-wide minor page faults during the tasks (concurrent tasks of one process count each other's). */
  minorFaults: number;
  majorFaults: number;
  /** Sums of task time waiting for reads (read and decode), in the kernel, and encoding and writing, in ms. */
  readMs: number;
  computeMs: number;
  writeMs: number;
}

/** The whole run's profile: the per-op sums and totals, with faults per GB of the run's input. */
export interface RunProfile {
  ops: OpProfile[];
  total: Omit<OpProfile, "opId">;
  /** Minor page faults per 10^9 bytes of input (u + v). */
  minorFaultsPerGB: number;
  /** Newly allocated array bytes per byte of input. */
  allocBytesPerInputByte: number;
}

const empty = (): Omit<OpProfile, "opId"> => ({ tasks: 0, bytesRead: 0, allocBytes: 0, minorFaults: 0, majorFaults: 0, readMs: 0, computeMs: 0, writeMs: 0 });

function add(into: Omit<OpProfile, "opId">, e: Pick<TaskEndEvent, "bytesRead" | "allocBytes" | "minorFaults" | "majorFaults" | "readMs" | "computeMs" | "writeMs">): void {
  into.tasks++;
  into.bytesRead += e.bytesRead;
  into.allocBytes += e.allocBytes ?? 0;
  into.minorFaults += e.minorFaults ?? 0;
  into.majorFaults += e.majorFaults ?? 0;
  into.readMs += e.readMs ?? 0;
  into.computeMs += e.computeMs ?? 0;
  into.writeMs += e.writeMs ?? 0;
}

/**
 * Sums the per-task profiles of TaskEndEvents per op (in the order ops first ended a task).
 * Events without profile fields (an executor that does not measure them) are not counted.
 *
 * @example
 * ```ts
 * const p = profileTasks(events, inputBytes);
 * console.log(p.minorFaultsPerGB);
 * ```
 */
export function profileTasks(events: readonly TaskEndEvent[], inputBytes: number): RunProfile {
  const byOp = new Map<string, OpProfile>();
  const total = empty();
  for (const e of events) {
    if (e.minorFaults === undefined) continue;
    let p = byOp.get(e.opId);
    if (!p) byOp.set(e.opId, (p = { opId: e.opId, ...empty() }));
    add(p, e);
    add(total, e);
  }
  return {
    ops: [...byOp.values()],
    total,
    minorFaultsPerGB: inputBytes > 0 ? total.minorFaults / (inputBytes / 1e9) : 0,
    allocBytesPerInputByte: inputBytes > 0 ? total.allocBytes / inputBytes : 0,
  };
}

/**
 * The profile as text lines: one row per op and a total (bytes allocated, page faults, time split).
 *
 * @example
 * ```ts
 * console.log(formatProfile(result.profile).join("\n"));
 * ```
 */
export function formatProfile(p: RunProfile): string[] {
  const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const row = (id: string, o: Omit<OpProfile, "opId">): string[] => [
    id, String(o.tasks), mb(o.bytesRead), mb(o.allocBytes), String(o.minorFaults), String(o.majorFaults), s(o.readMs), s(o.computeMs), s(o.writeMs),
  ];
  const rows = [...p.ops.map((o) => row(o.opId, o)), row("total", p.total)];
  const header = ["op", "tasks", "read", "allocated", "minor faults", "major faults", "read+decode", "compute", "encode+write"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [
    "profile (per op, summed over tasks; faults are process-wide, so concurrent tasks of one process count each other's):",
    fmt(header),
    ...rows.map(fmt),
    `minor faults per GB of input: ${p.minorFaultsPerGB.toFixed(0)}; new array bytes per input byte: ${p.allocBytesPerInputByte.toFixed(3)}`,
  ];
}
