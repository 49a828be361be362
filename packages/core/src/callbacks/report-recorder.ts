import type { Callback, ComputeEndEvent, ComputeStartEvent, TaskEndEvent } from "../runtime/events.js";
import type { ComputeReportData, ReportTask } from "./report-svg.js";

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
