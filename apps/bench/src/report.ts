import { formatProfile } from "./profile.js";
import { formatRepeats } from "./repeat.js";
import type { QuadraticMeansResult } from "./quadratic-means.js";

function table(rows: readonly (readonly string[])[], header?: readonly string[]): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0]!.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return out;
}

const seconds = (s: number): string => `${s.toFixed(3)} s`;
/** Bytes in decimal units with three significant digits: "1.31 GB", "151.6 MB", "57.6 kB". */
const formatMemory = (b: number): string =>
  b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`;
const tuple = (xs: readonly number[]): string => `(${xs.join(", ")})`;

/**
 * Renders a run as the plain-text summary the CLI prints: one table of the
 * headline numbers, one of the ops, and the verification line.
 *
 * @example
 * ```ts
 * console.log(formatReport(await runQuadraticMeans({ t: 10, workDir: "/tmp/qm" })));
 * ```
 */
export function formatReport(r: QuadraticMeansResult): string {
  const m = r.measured;
  const inputs =
    r.inputs.origin === "given"
      ? `${r.inputs.dir} (given)`
      : `${r.inputs.dir} (${r.inputs.origin}${r.inputs.origin === "generated" ? ` in ${seconds(r.inputs.generateSeconds)}` : ""}, ` +
        `compressor ${r.inputs.compressor ?? "none"})`;
  const peakNote = m.peakResetBeforeCompute ? "compute only" : "whole process";
  const a = r.aws;
  const usd = (x: number): string => `US$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
  const awsRows: string[][] = a
    ? [
        ["AWS", `${a.target}: worker ${a.functionName} (${a.memoryMB} MB, ${a.architecture})`],
        ["Lambda invocations", String(a.invocations)],
        ...(a.mapIterations !== null ? [["Map iterations / state transitions", `${a.mapIterations} / ${a.stateTransitions ?? 0}`]] : []),
        ["Lambda task time (billed)", `${seconds(a.billedSeconds)} = ${a.cost.gbSeconds.toFixed(3)} GB-s`],
        ["S3 requests of tasks (est.)", `${a.s3Gets} GET / ${a.s3Puts} PUT`],
        [
          "estimated cost (us-east-1)",
          `${usd(a.cost.total)} (Lambda ${usd(a.cost.lambdaCompute)} + requests ${usd(a.cost.lambdaRequests)}` +
            `${a.mapIterations !== null ? ` + Step Functions ${usd(a.cost.stepFunctions)}` : ""} + S3 ${usd(a.cost.s3Requests)})`,
        ],
      ]
    : [];
  const lines = [
    `quadratic-means: mean(u*u), mean(v*v), mean(u*v) over axis 0, t = ${r.t}`,
    `  u, v      ${r.dtype} ${tuple(r.shape)}, chunks ${tuple(r.chunks)}`,
    `  inputs    ${inputs}`,
    `  executor  ${r.executor} (concurrency ${r.concurrency}); allowed memory ${formatMemory(r.allowedMem)}, reserved ${formatMemory(r.reservedMem)}`,
    "",
    ...table([
      ["wall time (compute only)", seconds(r.wallSeconds)],
      ["input bytes (u + v)", `${formatMemory(r.inputBytes)} (${r.inputBytes} B)`],
      ["throughput", `${(r.gbPerSecond).toFixed(3)} GB/s`],
      ["ops / tasks / stages", `${r.plan.numOps} / ${r.plan.numTasks} / ${r.plan.numStages}`],
      ["tasks run (TaskEndEvents)", String(m.tasks)],
      ["max projected memory (task)", formatMemory(r.plan.maxProjectedMem)],
      [`peak RSS, process (${peakNote})`, formatMemory(m.peakRss)],
      ["peak RSS, max over tasks", formatMemory(m.maxTaskPeakMem)],
      ...(m.maxWorkerMem > 0 ? [["worker memory, max over tasks (heap + buffers)", formatMemory(m.maxWorkerMem)] as [string, string]] : []),
      [`RSS at compute start${m.gcBeforeCompute ? " (after GC)" : ""}`, formatMemory(m.rssAtStart)],
      ["minor page faults, process (compute)", `${m.minorFaults} (${Math.round(m.minorFaults / (r.inputBytes / 1e9))} per GB of input)`],
      ["bytes read / written (tasks)", `${formatMemory(m.bytesRead)} / ${formatMemory(m.bytesWritten)}`],
      ["planned read / written (raw)", `${formatMemory(r.plan.bytesRead)} / ${formatMemory(r.plan.bytesWritten)}`],
    ]),
    ...(a
      ? [
          "",
          ...awsRows.map(([k, v]) => `${k!.padEnd(Math.max(...awsRows.map((x) => x[0]!.length)))}  ${v}`),
          `prices: us-east-1 list prices (AWS_PRICES, apps/bench/src/aws-cost.ts), no free tier${a.target === "local stand-ins" ? "; times measured on local stand-ins on this machine, not on AWS" : ""}`,
        ]
      : []),
    ...(r.http
      ? [
          "",
          `HTTP worker   ${r.http.target}: ${r.http.requests} requests (${r.http.refused} refused and re-sent), ${r.http.instances} instance(s), ${r.http.coldStarts} cold start(s)`,
        ]
      : []),
    "",
    ...table(
      r.ops.map((o) => [o.id, String(o.numTasks), formatMemory(o.projectedMem), o.seconds === null ? "-" : seconds(o.seconds)]),
      ["op", "tasks", "projected", "time"],
    ),
    "",
    ...(r.profile ? [...formatProfile(r.profile), ""] : []),
    ...(r.repeats ? [...formatRepeats(r.repeats), ""] : []),
  ];
  const v = r.verification;
  if (v === null) {
    lines.push("verification skipped");
  } else {
    const d = v.maxAbsDiff;
    const diffs = `max abs diff uu ${d.uu.toExponential(2)}, vv ${d.vv.toExponential(2)}, uv ${d.uv.toExponential(2)}`;
    lines.push(
      v.verified
        ? `verified: ${diffs} (tolerance ${v.tolerance.toExponential(0)}; reference took ${seconds(v.seconds)})`
        : `VERIFICATION FAILED: ${diffs} exceeds tolerance ${v.tolerance.toExponential(0)}`,
    );
  }
  return lines.join("\n");
}
