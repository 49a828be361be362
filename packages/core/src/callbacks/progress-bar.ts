import type { Callback, ComputeStartEvent, OperationStartEvent, TaskEndEvent } from "../runtime/events.js";

/**
 * A progress bar per op on a TTY (silent when the stream is not a TTY, e.g. in CI).
 *
 * @example
 * ```ts
 * await y.compute({ callbacks: [new ProgressBar()] });
 * ```
 */
export class ProgressBar implements Callback {
  readonly #stream: NodeJS.WriteStream;
  readonly #ops = new Map<string, { label: string; total: number; done: number }>();
  #order: string[] = [];
  #drawn = 0;
  #last = 0;

  constructor(options: { stream?: NodeJS.WriteStream } = {}) {
    this.#stream = options.stream ?? process.stderr;
  }

  get #active(): boolean {
    return this.#stream.isTTY === true;
  }

  onComputeStart(e: ComputeStartEvent): void {
    this.#order = e.plan.stages.flat();
    for (const id of this.#order) {
      const op = e.plan.ops[id]!;
      this.#ops.set(id, { label: op.label, total: op.stats.numTasks, done: 0 });
    }
    this.#draw(true);
  }

  onOperationStart(e: OperationStartEvent): void {
    const op = this.#ops.get(e.opId);
    if (op) op.done = e.skippedTasks;
    this.#draw(true);
  }

  onTaskEnd(e: TaskEndEvent): void {
    const op = this.#ops.get(e.opId);
    if (op) op.done++;
    this.#draw(false);
  }

  onComputeEnd(): void {
    this.#draw(true);
  }

  #draw(force: boolean): void {
    if (!this.#active) return;
    const now = Date.now();
    if (!force && now - this.#last < 100) return;
    this.#last = now;
    const width = 30;
    const lines = this.#order.map((id) => {
      const { label, total, done } = this.#ops.get(id)!;
      const frac = total === 0 ? 1 : done / total;
      const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
      return `${id.slice(0, 28).padEnd(28)} ${label.padEnd(10).slice(0, 10)} ${bar} ${done}/${total}`;
    });
    if (this.#drawn > 0) this.#stream.write(`\x1b[${this.#drawn}A`);
    this.#stream.write(lines.map((l) => `\x1b[2K${l}\n`).join(""));
    this.#drawn = lines.length;
  }
}
