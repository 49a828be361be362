import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { escapeXml, memorySection, opColours, reportPage, tickStep, timelineSection, tasksOverProjection } from "@cubed-ts/core";
import type { QuadraticMeansResult } from "./quadratic-means.js";

/** Bytes as MB or GB (10^6, 10^9). */
const mb = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

/**
 * A self-contained HTML report of one run (inline CSS and SVG, no external
 * assets): headline numbers, the task timeline, the memory chart and the
 * plan summary.
 *
 * @example
 * ```ts
 * await writeFile("report.html", renderHtmlReport(await runQuadraticMeans({ t: 10, workDir: "/tmp/qm" })));
 * ```
 */
export function renderHtmlReport(r: QuadraticMeansResult): string {
  const colours = opColours(r.ops);
  const v = r.verification;
  const verdict =
    v === null
      ? `<span class="warn">not verified</span>`
      : v.verified
        ? `<span class="ok">verified</span> (max abs diff ${Math.max(v.maxAbsDiff.uu, v.maxAbsDiff.vv, v.maxAbsDiff.uv).toExponential(2)} ≤ ${v.tolerance.toExponential(0)})`
        : `<span class="bad">VERIFICATION FAILED</span>`;
  // in-process and thread executors run every task in one process: its peak covers all concurrent tasks
  const shared = (r.executor === "in-process" || r.executor === "inprocess" || r.executor === "threads") && r.concurrency > 1;
  const peakNote =
    r.measured.maxTaskPeakMem <= r.allowedMem
      ? `<span class="ok">within allowed ${mb(r.allowedMem)}</span>`
      : shared
        ? `<span class="warn">above allowed ${mb(r.allowedMem)}: one process shared by ${r.concurrency} concurrent tasks</span>`
        : `<span class="bad">ABOVE allowed ${mb(r.allowedMem)}</span>`;
  const over = tasksOverProjection(r);
  const measuredOf = (t: QuadraticMeansResult["tasks"][number]): number => t.workerMem ?? t.peakMem;
  const headline: [string, string][] = [
    ["wall time (compute only)", `${r.wallSeconds.toFixed(3)} s`],
    ["throughput", `${r.gbPerSecond.toFixed(3)} GB/s of ${mb(r.inputBytes)} input`],
    ["ops / tasks / stages", `${r.plan.numOps} / ${r.plan.numTasks} / ${r.plan.numStages}`],
    ["max projected memory per task", mb(r.plan.maxProjectedMem)],
    [
      "max measured memory per task",
      `${mb(Math.max(0, ...r.tasks.map(measuredOf)))} ` +
        (over === 0 ? `<span class="ok">every task within its projection</span>` : `<span class="warn">${over} task(s) above their projection</span>`),
    ],
    ["peak RSS of the process", `${mb(r.measured.maxTaskPeakMem)} ${peakNote}`],
    ["bytes read / written (tasks)", `${mb(r.measured.bytesRead)} / ${mb(r.measured.bytesWritten)}`],
    ["result", verdict],
  ];
  const a = r.aws;
  if (a) {
    const usd = (x: number): string => `US$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;
    headline.splice(
      headline.length - 1, 0,
      ["AWS", `${escapeXml(a.target)}: worker <code>${escapeXml(a.functionName)}</code> (${a.memoryMB} MB, ${a.architecture})`],
      ["Lambda invocations", String(a.invocations)],
      ...(a.mapIterations !== null ? [["Map iterations / state transitions", `${a.mapIterations} / ${a.stateTransitions ?? 0}`] as [string, string]] : []),
      [
        "estimated cost",
        `${usd(a.cost.total)}: Lambda ${a.cost.gbSeconds.toFixed(3)} GB-s ${usd(a.cost.lambdaCompute)}, requests ${usd(a.cost.lambdaRequests)}` +
          `${a.mapIterations !== null ? `, Step Functions ${usd(a.cost.stepFunctions)}` : ""}, S3 ${a.s3Gets} GET + ${a.s3Puts} PUT ${usd(a.cost.s3Requests)} ` +
          `<span class="note">(us-east-1 list prices, no free tier)</span>`,
      ],
    );
  }
  const opRows = r.ops
    .map(
      (o) =>
        `<tr><td><span class="swatch" style="background:${colours.get(o.id)}"></span>${escapeXml(o.label)}</td><td>${o.numTasks}</td>` +
        `<td>${mb(o.projectedMem)}</td><td>${mb(Math.max(0, ...r.tasks.filter((t) => t.opId === o.id).map(measuredOf)))}</td>` +
        `<td>${o.seconds === null ? "-" : `${o.seconds.toFixed(3)} s`}</td><td><code>${escapeXml(o.id)}</code></td></tr>`,
    )
    .join("");
  return reportPage(
    `cubed-ts quadratic means, t = ${r.t}`,
    `<h1>Quadratic means: mean(u²), mean(v²), mean(u·v) over time</h1>
<p class="sub">t = ${r.t}, u and v ${r.dtype} (${r.shape.join(", ")}), chunks (${r.chunks.join(", ")}); ${r.api} API; executor ${escapeXml(r.executor)} (concurrency ${r.concurrency}); ${escapeXml(r.environment.date)}, Node ${escapeXml(r.environment.node)}, ${r.environment.cpus} CPUs</p>
<h2>Summary</h2>
<table id="summary">${headline.map(([k, val]) => `<tr><th>${k}</th><td>${val}</td></tr>`).join("")}</table>
${timelineSection(r)}
${memorySection(r)}
<h2>Plan</h2>
<table id="plan"><tr><th>op</th><th>tasks</th><th>projected</th><th>max measured</th><th>time</th><th>id</th></tr>${opRows}</table>
<p class="note">${r.plan.numArrays} arrays; planned bytes read ${mb(r.plan.bytesRead)}, written ${mb(r.plan.bytesWritten)} (uncompressed); allowed ${mb(r.allowedMem)}, reserved ${mb(r.reservedMem)}.</p>`,
  );
}

/** Paths written by {@link writeRunReport}. */
export interface RunReportFiles {
  dir: string;
  json: string;
  html: string;
}

/**
 * Writes `results.json` (the whole result) and `report.html`
 * ({@link renderHtmlReport}) into `dir`, creating it.
 *
 * @example
 * ```ts
 * const files = await writeRunReport(result, { dir: "/tmp/qm/reports/run1" });
 * console.log(files.html);
 * ```
 */
export async function writeRunReport(r: QuadraticMeansResult, options: { dir: string }): Promise<RunReportFiles> {
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const json = join(dir, "results.json");
  const html = join(dir, "report.html");
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(html, renderHtmlReport(r));
  return { dir, json, html };
}

/** A grouped bar chart: for each x label, one bar per series. */
function barChart(id: string, labels: readonly string[], series: readonly { name: string; colour: string; values: readonly number[] }[], unit: (v: number) => string, title: string): string {
  const width = 900;
  const height = 280;
  const left = 80;
  const top = 16;
  const plotW = width - left - 20;
  const plotH = height - top - 60;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values)) * 1.1;
  const groupW = plotW / Math.max(1, labels.length);
  const barW = Math.min(60, (groupW * 0.7) / Math.max(1, series.length));
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const parts: string[] = [`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`];
  const step = tickStep(max, 5);
  for (let v = 0; v <= max; v += step) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${unit(v)}</text>`);
  }
  labels.forEach((label, i) => {
    const x0 = left + i * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      parts.push(
        `<rect class="bar" x="${(x0 + k * barW).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${s.colour}"><title>${escapeXml(s.name)}: ${unit(v)}</title></rect>`,
      );
      parts.push(`<text x="${(x0 + k * barW + barW / 2 - 1).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${unit(v)}</text>`);
    });
    parts.push(`<text x="${(left + i * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-size="12">${escapeXml(label)}</text>`);
  });
  parts.push(`<text x="${left + plotW / 2}" y="${height - 14}" text-anchor="middle" font-size="12">${escapeXml(title)}</text>`);
  const keys = series.map((s) => `<span class="key"><span class="swatch" style="background:${s.colour}"></span>${escapeXml(s.name)}</span>`).join(" ");
  return `<div>${keys}</div><svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join("")}</svg>`;
}

/** The rows of a weak sweep and, optionally, a projection, as {@link renderScalingHtml} draws them. */
export interface ScalingReportInput {
  rows: readonly {
    workers: number;
    t: number;
    wallSeconds: number;
    maxTaskPeakMem: number;
    maxWorkerMem: number;
    maxProjectedMem: number;
    predictedSeconds: number;
    predictedSecondsRunSpeed: number;
  }[];
  projection?: {
    t: number;
    containers: number;
    inputBytes: number;
    result: { wallSeconds: number; stageSeconds: number[]; cost: { total: number } | null };
    cubedPublishedSeconds: number;
    assumptions: readonly { what: string; value: string; source: string }[];
  };
}

/**
 * A self-contained HTML page of a weak sweep: wall time per size (measured
 * and both predictions) and memory per size (max projected and max measured
 * per task), plus the projection to many containers with its assumptions.
 *
 * @example
 * ```ts
 * await writeFile("sweep.html", renderScalingHtml({ rows: sweep.rows, projection }));
 * ```
 */
export function renderScalingHtml(input: ScalingReportInput): string {
  const labels = input.rows.map((r) => `${r.workers} worker${r.workers === 1 ? "" : "s"}, t = ${r.t}`);
  const s = (v: number): string => `${v.toFixed(v >= 10 ? 1 : 2)} s`;
  const time = barChart(
    "sweep-time",
    labels,
    [
      { name: "measured", colour: "#0072B2", values: input.rows.map((r) => r.wallSeconds) },
      { name: "predicted (probe speed)", colour: "#E69F00", values: input.rows.map((r) => r.predictedSeconds) },
      { name: "predicted (run speed)", colour: "#009E73", values: input.rows.map((r) => r.predictedSecondsRunSpeed) },
    ],
    s,
    "wall time per size (flat is ideal for weak scaling)",
  );
  const memory = barChart(
    "sweep-memory",
    labels,
    [
      { name: "max projected per task", colour: "#2c3e50", values: input.rows.map((r) => r.maxProjectedMem) },
      { name: "max worker memory per task", colour: "#009E73", values: input.rows.map((r) => r.maxWorkerMem) },
      { name: "max measured peak (process)", colour: "#CC79A7", values: input.rows.map((r) => r.maxTaskPeakMem) },
    ],
    mb,
    "memory per size (flat per-task memory is the goal; the process peak is shared by all the threads' workers)",
  );
  const p = input.projection;
  const projection = p
    ? `<h2>Projection: t = ${p.t} (${(p.inputBytes / 1e12).toFixed(2)} TB), ${p.containers} containers</h2>
${barChart(
  "projection",
  ["quadratic means at t = " + p.t],
  [
    { name: "cubed-ts, projected", colour: "#009E73", values: [p.result.wallSeconds] },
    { name: "Cubed, published", colour: "#7f8c8d", values: [p.cubedPublishedSeconds] },
  ],
  s,
  `wall time; projected cost ${p.result.cost ? `US$${p.result.cost.total.toFixed(2)}` : "not priced"}; stages ${p.result.stageSeconds.map((x) => x.toFixed(1)).join(" + ")} s`,
)}
<table id="assumptions"><tr><th>assumption</th><th>value</th><th>source</th></tr>${p.assumptions
        .map((a) => `<tr><td>${escapeXml(a.what)}</td><td>${escapeXml(a.value)}</td><td>${escapeXml(a.source)}</td></tr>`)
        .join("")}</table>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cubed-ts quadratic means: weak scaling</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 6px}
table{border-collapse:collapse;font-size:12px} td,th{padding:3px 8px;border-bottom:1px solid #e2e2e2;text-align:left;vertical-align:top}
.swatch{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:middle;border-radius:2px}
.key{margin-right:14px;font-size:13px}
</style></head><body>
<h1>Quadratic means: weak scaling</h1>
<h2>Time per size</h2>
${time}
<h2>Memory per size</h2>
${memory}
${projection}
</body></html>
`;
}
