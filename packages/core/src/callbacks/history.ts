import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type {
  Callback, ComputeEndEvent, ComputeStartEvent, OperationEndEvent, OperationStartEvent, TaskEndEvent,
} from "../runtime/events.js";

/**
 * Records a compute: `plan.json` (the plan summary) and `events.jsonl` (one JSON
 * line per event, every task included, with the retries and backups each needed; the
 * `computeEnd` line sums them) under `<dir>/<computeId>/`.
 *
 * @example
 * ```ts
 * const history = new HistoryCallback({ dir: "history" });
 * await y.compute({ callbacks: [history] });
 * console.log(history.path);
 * ```
 */
export class HistoryCallback implements Callback {
  readonly dir: string;
  /** The folder of the last compute. */
  path = "";
  /** Task events of the last compute, in arrival order. */
  readonly tasks: TaskEndEvent[] = [];

  constructor(options: { dir?: string } = {}) {
    this.dir = options.dir ?? "history";
  }

  #write(type: string, event: object): void {
    appendFileSync(join(this.path, "events.jsonl"), `${JSON.stringify({ type, ...event })}\n`);
  }

  onComputeStart(e: ComputeStartEvent): void {
    this.path = join(this.dir, `${e.computeId}-${e.time}`);
    this.tasks.length = 0;
    mkdirSync(this.path, { recursive: true });
    writeFileSync(join(this.path, "plan.json"), JSON.stringify(e.summary, null, 2));
    this.#write("computeStart", { computeId: e.computeId, time: e.time });
  }
  onOperationStart(e: OperationStartEvent): void {
    this.#write("operationStart", e);
  }
  onTaskEnd(e: TaskEndEvent): void {
    this.tasks.push(e);
    this.#write("taskEnd", e);
  }
  onOperationEnd(e: OperationEndEvent): void {
    this.#write("operationEnd", e);
  }
  /** Also records the compute's totals: tasks finished, failed attempts (retries) and backup copies. */
  onComputeEnd(e: ComputeEndEvent): void {
    const sum = (f: (t: TaskEndEvent) => number | undefined): number => this.tasks.reduce((a, t) => a + (f(t) ?? 0), 0);
    this.#write("computeEnd", { ...e, tasks: this.tasks.length, failedAttempts: sum((t) => t.failedAttempts), backups: sum((t) => t.backups) });
  }
}
