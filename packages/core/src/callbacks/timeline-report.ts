import { RecordedReport, type ReportFiles } from "./report-recorder.js";
import { type ComputeReportData, escapeXml, mb, opColours, opLegend, tickStep } from "./report-svg.js";

/**
 * The task timeline as an inline SVG (`<svg id="timeline">`): one row per worker, one bar
 * (`class="task"`) per task from its start to its end on the worker, coloured by op.
 *
 * @example
 * ```ts
 * const rec = new ReportRecorder();
 * await y.compute({ callbacks: [rec] });
 * writeFileSync("timeline.svg", timelineSvg(rec.data()));
 * ```
 */
export function timelineSvg(r: ComputeReportData): string {
  const colours = opColours(r.ops);
  const workers = [...new Set(r.tasks.map((t) => t.worker))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const left = 110;
  const width = 900;
  const rowH = 26;
  const top = 10;
  const plotW = width - left - 20;
  const tMax = Math.max(r.wallSeconds, ...r.tasks.map((t) => t.end), 1e-3);
  const height = top + Math.max(1, workers.length) * rowH + 40;
  const x = (s: number): number => left + (Math.max(0, s) / tMax) * plotW;
  const parts: string[] = [];
  workers.forEach((w, i) => {
    const y = top + i * rowH;
    parts.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${rowH - 4}" fill="${i % 2 ? "#f4f4f4" : "#fafafa"}"/>`);
    parts.push(`<text x="${left - 8}" y="${y + rowH / 2 + 2}" text-anchor="end" font-size="12">${escapeXml(w)}</text>`);
  });
  for (const t of r.tasks) {
    const y = top + workers.indexOf(t.worker) * rowH + 2;
    // a short task still shows as a bar (its colour inside the white outline)
    const w = Math.max(4, x(t.end) - x(t.start));
    const mem = t.workerMem === undefined ? `process peak ${mb(t.peakMem)}` : `worker memory ${mb(t.workerMem)}`;
    parts.push(
      `<rect class="task" data-op="${escapeXml(t.opId)}" x="${x(t.start).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 8}" ` +
        `fill="${colours.get(t.opId) ?? "#888"}" stroke="#fff" stroke-width="0.5"><title>${escapeXml(t.opId)} on ${escapeXml(t.worker)}: ` +
        `${t.start.toFixed(3)}-${t.end.toFixed(3)} s, ${mem}</title></rect>`,
    );
  }
  const axisY = top + Math.max(1, workers.length) * rowH;
  const step = tickStep(tMax, 8);
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333"/>`);
  for (let s = 0; s <= tMax + 1e-9; s += step) {
    parts.push(`<line x1="${x(s)}" x2="${x(s)}" y1="${axisY}" y2="${axisY + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(s)}" y="${axisY + 18}" text-anchor="middle" font-size="11">${Number(s.toPrecision(6))}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${axisY + 34}" text-anchor="middle" font-size="12">seconds since the compute started (wall time ${r.wallSeconds.toFixed(3)} s)</text>`);
  return `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${parts.join("")}</svg>`;
}

/**
 * The timeline section of a report page: heading, op legend, {@link timelineSvg} and a note on how to read it.
 *
 * @example
 * ```ts
 * const html = reportPage("timeline", timelineSection(rec.data()));
 * ```
 */
export function timelineSection(r: ComputeReportData): string {
  return `<h2>Task timeline</h2>
<div>${opLegend(r.ops)}</div>
${timelineSvg(r)}
<p class="note">One row per worker; each bar is one task, from when its code started to when it ended on the worker, coloured by op. Gaps are time a worker spent without a task (scheduling, waiting for the previous stage).</p>`;
}

/**
 * Writes the task timeline of each compute to `<dir>/timeline.svg` and a self-contained
 * `<dir>/timeline.html` when the compute ends (also when it fails: the tasks that finished).
 *
 * @example
 * ```ts
 * const timeline = new TimelineReport("reports");
 * await y.compute({ callbacks: [timeline] });
 * console.log(timeline.path); // reports/timeline.html
 * ```
 */
export class TimelineReport extends RecordedReport {
  protected render(data: ComputeReportData): ReportFiles {
    return { name: "timeline", svg: timelineSvg(data), title: "cubed-ts compute {id}: task timeline", section: timelineSection(data) };
  }
}
