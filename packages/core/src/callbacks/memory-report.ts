import { RecordedReport, type ReportFiles } from "./report-recorder.js";
import { type ComputeReportData, type ReportTask, escapeXml, mb, opColours, opLegend, tickStep } from "./report-svg.js";

/** Colour of the projected step line. */
export const PROJECTED_COLOUR = "#2c3e50";
/** Colour of the allowed-memory line. */
export const ALLOWED_COLOUR = "#c0392b";
/** Colour of the reserved-memory line. */
export const RESERVED_COLOUR = "#7f8c8d";

/**
 * What the memory chart plots for a task: the worker's own memory when reported, else the process peak.
 *
 * @example
 * ```ts
 * measuredMem({ opId: "a", worker: "thread-0", start: 0, end: 1, peakMem: 900e6, workerMem: 150e6 }); // 150e6
 * ```
 */
export function measuredMem(t: ReportTask): number {
  return t.workerMem ?? t.peakMem;
}

/** The tasks in the chart's order: grouped by op (plan order), then by when they ended. */
function chartOrder(r: ComputeReportData): ReportTask[] {
  const rank = new Map(r.ops.map((o, i) => [o.id, i]));
  return [...r.tasks].sort((a, b) => (rank.get(a.opId) ?? 1e9) - (rank.get(b.opId) ?? 1e9) || a.end - b.end);
}

/**
 * How many tasks measured more than their op's projection.
 *
 * @example
 * ```ts
 * if (tasksOverProjection(recorder.data()) > 0) console.warn("the memory model under-projects");
 * ```
 */
export function tasksOverProjection(r: ComputeReportData): number {
  const projected = new Map(r.ops.map((o) => [o.id, o.projectedMem]));
  return r.tasks.filter((t) => measuredMem(t) > (projected.get(t.opId) ?? Infinity)).length;
}

/**
 * The memory chart as an inline SVG (`<svg id="memory">`): tasks grouped by op, each task's
 * measured memory as a dot (`class="measured"`: the worker's heap + buffers, or the process
 * peak when the executor does not report it) against its op's projected memory as a step
 * line (`class="projected"`), with the allowed and reserved memory as horizontal lines.
 * A dot above its projection has `data-over="1"` and a red ring.
 *
 * @example
 * ```ts
 * const rec = new ReportRecorder();
 * await y.compute({ callbacks: [rec] });
 * writeFileSync("memory.svg", memorySvg(rec.data()));
 * ```
 */
export function memorySvg(r: ComputeReportData): string {
  const colours = opColours(r.ops);
  const projected = new Map(r.ops.map((o) => [o.id, o.projectedMem]));
  const tasks = chartOrder(r);
  const left = 80;
  const width = 900;
  const height = 320;
  const top = 14;
  const plotW = width - left - 130;
  const plotH = height - top - 50;
  const yMax = Math.max(r.allowedMem, ...tasks.map(measuredMem), ...tasks.map((t) => projected.get(t.opId) ?? 0), 1e6) * 1.08;
  const n = Math.max(1, tasks.length);
  const x = (i: number): number => left + ((i + 0.5) / n) * plotW;
  const y = (b: number): number => top + plotH - (b / yMax) * plotH;
  const parts: string[] = [`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`];
  const step = tickStep(yMax / 1e6, 6) * 1e6;
  for (let b = 0; b <= yMax; b += step) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(b)}" y2="${y(b)}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${left - 6}" y="${y(b) + 4}" text-anchor="end" font-size="11">${mb(b)}</text>`);
  }
  const hline = (cls: string, b: number, colour: string, label: string, dash: string, labelY: number): void => {
    parts.push(`<line class="${cls}" x1="${left}" x2="${left + plotW}" y1="${y(b)}" y2="${y(b)}" stroke="${colour}" stroke-width="2" stroke-dasharray="${dash}"/>`);
    parts.push(`<text x="${left + plotW + 6}" y="${labelY + 4}" font-size="12" fill="${colour}">${label} ${mb(b)}</text>`);
  };
  hline("allowed", r.allowedMem, ALLOWED_COLOUR, "allowed", "", y(r.allowedMem));
  // the reserved label moves down when it would overlap the allowed one
  hline("reserved", r.reservedMem, RESERVED_COLOUR, "reserved", "6 4", Math.max(y(r.reservedMem), y(r.allowedMem) + 14));
  // op boundaries: a thin vertical line where the next op's tasks begin
  tasks.forEach((t, i) => {
    if (i > 0 && tasks[i - 1]!.opId !== t.opId) {
      const bx = (x(i) - plotW / n / 2).toFixed(1);
      parts.push(`<line x1="${bx}" x2="${bx}" y1="${top}" y2="${top + plotH}" stroke="#bbb" stroke-dasharray="3 3"/>`);
    }
  });
  // projected: a step line, each task's own op's projection over its slot
  const proj = tasks.map((t, i) => `${i === 0 ? "M" : "L"}${(x(i) - plotW / n / 2).toFixed(1)},${y(projected.get(t.opId) ?? 0).toFixed(1)} H${(x(i) + plotW / n / 2).toFixed(1)}`);
  if (proj.length > 0) parts.push(`<path class="projected" d="${proj.join(" ")}" fill="none" stroke="${PROJECTED_COLOUR}" stroke-width="3"/>`);
  const radius = n > 400 ? 2 : 4;
  tasks.forEach((t, i) => {
    const m = measuredMem(t);
    const p = projected.get(t.opId) ?? 0;
    const over = m > p;
    const what = t.workerMem === undefined ? "process peak" : "worker memory";
    parts.push(
      `<circle class="measured" data-op="${escapeXml(t.opId)}"${over ? ` data-over="1" stroke="${ALLOWED_COLOUR}" stroke-width="2"` : ""} ` +
        `cx="${x(i).toFixed(1)}" cy="${y(m).toFixed(1)}" r="${radius}" fill="${colours.get(t.opId) ?? "#888"}">` +
        `<title>${escapeXml(t.opId)} on ${escapeXml(t.worker)}: ${what} ${mb(m)}, projected ${mb(p)}</title></circle>`,
    );
  });
  parts.push(`<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle" font-size="12">tasks, grouped by op, in the order they ended (${tasks.length})</text>`);
  return `<svg id="memory" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join("")}</svg>`;
}

/**
 * The memory section of a report page: heading, op legend, a key, {@link memorySvg},
 * how many tasks measured more than projected, and a note on what is measured.
 *
 * @example
 * ```ts
 * const html = reportPage("memory", memorySection(rec.data()));
 * ```
 */
export function memorySection(r: ComputeReportData): string {
  const line = (colour: string, dash: string, w: number): string =>
    `<svg width="34" height="8"><line x1="0" x2="34" y1="4" y2="4" stroke="${colour}" stroke-width="${w}"${dash ? ` stroke-dasharray="${dash}"` : ""}/></svg>`;
  const over = tasksOverProjection(r);
  const allWorker = r.tasks.every((t) => t.workerMem !== undefined);
  return `<h2>Memory per task</h2>
<div>${opLegend(r.ops)}</div>
<div class="key">● measured per task &nbsp; ${line(PROJECTED_COLOUR, "", 3)} projected (the task's op) &nbsp;
${line(ALLOWED_COLOUR, "", 2)} allowed &nbsp; ${line(RESERVED_COLOUR, "6 4", 2)} reserved</div>
${memorySvg(r)}
<p class="note" id="memory-verdict">${over === 0 ? `<span class="ok">every task within its projection</span>` : `<span class="warn">${over} of ${r.tasks.length} tasks above their projection</span> (ringed in red)`}.</p>
<p class="note">Dots: what each task measured: ${allWorker ? "" : "where the executor reports it, "}the memory held by the worker that ran it (its V8 heap plus ArrayBuffers, pooled read buffers included; tasks sharing one thread share it)${allWorker ? "" : "; otherwise the process's peak resident memory, a high-water mark that includes earlier tasks and the runtime"}. Solid line: the plan's projected memory for the task's op. Red: the allowed memory per task (<code>Spec.allowedMem</code>); grey dashed: the reserved memory (the runtime's own baseline, part of every projection).</p>`;
}

/**
 * Writes the memory chart of each compute to `<dir>/memory.svg` and a self-contained
 * `<dir>/memory.html` when the compute ends (also when it fails: the tasks that finished).
 *
 * @example
 * ```ts
 * const memory = new MemoryReport("reports");
 * await y.compute({ callbacks: [memory] });
 * console.log(memory.path, memory.tasksOverProjection);
 * ```
 */
export class MemoryReport extends RecordedReport {
  /** Tasks of the last compute that measured more than their op's projection. */
  tasksOverProjection = 0;

  protected render(data: ComputeReportData): ReportFiles {
    this.tasksOverProjection = tasksOverProjection(data);
    return { name: "memory", svg: memorySvg(data), title: "cubed-ts compute {id}: memory per task", section: memorySection(data) };
  }
}
