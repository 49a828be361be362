import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Callback, ComputeEndEvent, ComputeStartEvent, TaskEndEvent } from "../runtime/events.js";
import { type ComputeReportData, type ReportTask, escapeXml, reportPage } from "./report-svg.js";

/**
 * Records what the timeline and memory reports draw: the plan's ops and projections
 * (from the start event) and every finished task, with times relative to the compute's start.
 *
 * @example
 * ```ts
 * const rec = new ReportRecorder();
 * await y.compute({ callbacks: [rec] });
 * console.log(rec.data().tasks.length);
 * ```
 */
export class ReportRecorder implements Callback {
  #origin = 0;
  #end: number | undefined;
  #allowedMem = 0;
  #reservedMem = 0;
  #ops: ComputeReportData["ops"] = [];
  readonly #tasks: ReportTask[] = [];

  onComputeStart(e: ComputeStartEvent): void {
    this.#origin = e.time;
    this.#end = undefined;
    this.#allowedMem = e.summary.allowedMem;
    this.#reservedMem = e.summary.reservedMem;
    this.#ops = e.summary.ops.map((o) => ({ id: o.id, label: o.label, numTasks: o.numTasks, projectedMem: o.projectedMem }));
    this.#tasks.length = 0;
  }

  onTaskEnd(e: TaskEndEvent): void {
    this.#tasks.push({
      opId: e.opId,
      worker: e.worker,
      start: (e.startTime - this.#origin) / 1000,
      end: (e.endTime - this.#origin) / 1000,
      peakMem: e.peakMem,
      ...(e.workerMem === undefined ? {} : { workerMem: e.workerMem }),
    });
  }

  onComputeEnd(e: ComputeEndEvent): void {
    this.#end = e.time;
  }

  /** The compute recorded so far (the last one), ready for `timelineSvg` / `memorySvg`. */
  data(): ComputeReportData {
    const end = this.#end ?? Date.now();
    return {
      allowedMem: this.#allowedMem,
      reservedMem: this.#reservedMem,
      wallSeconds: Math.max(0, (end - this.#origin) / 1000),
      ops: this.#ops,
      tasks: [...this.#tasks],
    };
  }
}

/** What a recorded report writes when a compute ends: a chart and the page around it. */
export interface ReportFiles {
  /** File name stem (`timeline` writes `timeline.svg` and `timeline.html`). */
  name: string;
  svg: string;
  /** Page title. */
  title: string;
  /** The page's HTML section (the chart with its legend and notes). */
  section: string;
}

/**
 * A callback that records a compute and writes `<dir>/<name>.svg` and a
 * self-contained `<dir>/<name>.html` when it ends (also when it fails: the
 * tasks that finished). Subclasses say what to draw.
 *
 * @example
 * ```ts
 * class Count extends RecordedReport {
 *   protected render(d: ComputeReportData) { return { name: "count", svg: "<svg/>", title: "tasks", section: `${d.tasks.length}` }; }
 * }
 * ```
 */
export abstract class RecordedReport implements Callback {
  readonly dir: string;
  /** The HTML page of the last compute ("" before one ended). */
  path = "";
  readonly #rec = new ReportRecorder();

  constructor(dir: string | { dir: string }) {
    this.dir = resolve(typeof dir === "string" ? dir : dir.dir);
  }

  onComputeStart(e: ComputeStartEvent): void {
    this.#rec.onComputeStart(e);
  }
  onTaskEnd(e: TaskEndEvent): void {
    this.#rec.onTaskEnd(e);
  }
  onComputeEnd(e: ComputeEndEvent): void {
    this.#rec.onComputeEnd(e);
    const files = this.render(this.#rec.data());
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${files.name}.svg`), `${files.svg}\n`);
    this.path = join(this.dir, `${files.name}.html`);
    writeFileSync(this.path, reportPage(files.title.replace("{id}", e.computeId), `<h1>Compute ${escapeXml(e.computeId)}${e.ok ? "" : " (failed)"}</h1>\n${files.section}`));
  }

  /** What to write for the compute just recorded. */
  protected abstract render(data: ComputeReportData): ReportFiles;
}
