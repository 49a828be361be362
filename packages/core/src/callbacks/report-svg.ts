// Shared pieces of the SVG/HTML reports (TimelineReport, MemoryReport and the bench's report.html):
// the data they draw, colours, escaping, axis ticks and the page shell.

/** One op of a compute, as the reports draw it. */
export interface ReportOp {
  id: string;
  label: string;
  numTasks: number;
  /** The plan's projected memory for one task of the op, in bytes. */
  projectedMem: number;
}

/** One finished task; times in seconds since the compute started. */
export interface ReportTask {
  opId: string;
  worker: string;
  start: number;
  end: number;
  /** The process's peak resident memory after the task (a high-water mark shared by every task of the process). */
  peakMem: number;
  /** Memory held by the worker that ran the task (V8 heap + ArrayBuffers), when the executor reports it. */
  workerMem?: number;
}

/** What the timeline and memory charts draw: the plan's ops and projection, and every finished task. */
export interface ComputeReportData {
  allowedMem: number;
  reservedMem: number;
  /** Wall time of the compute. */
  wallSeconds: number;
  /** In execution order. */
  ops: readonly ReportOp[];
  /** In the order they ended. */
  tasks: readonly ReportTask[];
}

/** Colour per op (by plan order): the colour-blind-friendly Okabe–Ito palette. */
export const OP_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"] as const;

/** Escapes text for XML and HTML. */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Bytes as MB or GB (10^6, 10^9). */
export const mb = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

/** A "nice" tick step for a [0, max] axis with about `n` ticks. */
export function tickStep(max: number, n: number): number {
  const raw = max / n;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

/** The colour of each op, by its position in `ops`. */
export function opColours(ops: readonly ReportOp[]): Map<string, string> {
  return new Map(ops.map((o, i) => [o.id, OP_PALETTE[i % OP_PALETTE.length]!]));
}

/** An HTML legend: one swatch per op with its label and task count. */
export function opLegend(ops: readonly ReportOp[]): string {
  const colours = opColours(ops);
  return ops
    .map(
      (o) =>
        `<span class="key"><span class="swatch" style="background:${colours.get(o.id)}"></span>${escapeXml(o.label)} ` +
        `<small>(${o.numTasks} task${o.numTasks === 1 ? "" : "s"})</small></span>`,
    )
    .join(" ");
}

/** The CSS every report page shares. */
export const REPORT_CSS = `body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 6px} p.sub{margin:0;color:#555}
table{border-collapse:collapse;font-size:13px} td,th{padding:3px 10px;border-bottom:1px solid #e2e2e2;text-align:left}
.ok{color:#1e7b34;font-weight:bold} .bad{color:#b00020;font-weight:bold} .warn{color:#a86b00;font-weight:bold}
.swatch{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:middle;border-radius:2px}
.key{margin-right:14px;font-size:13px} .note{font-size:12px;color:#555;max-width:900px}`;

/** A self-contained HTML page (inline CSS, no external assets) around `body`. */
export function reportPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
${REPORT_CSS}
</style></head><body>
${body}
</body></html>
`;
}
