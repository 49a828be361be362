import type { Callback, ComputeEndEvent, ComputeStartEvent, OperationStartEvent, TaskEndEvent } from "../runtime/events.js";

/** Where a {@link ProgressBar} writes: a stream, a TTY when `isTTY` is true. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width; the bar uses at most 80 columns, fewer on a narrower terminal. */
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Default `process.stderr`. */
  stream?: ProgressStream;
}

interface OpLine {
  label: string;
  total: number;
  done: number;
  skipped: number;
  /** ms since the epoch; undefined until the op starts. */
  start?: number;
  end?: number;
}

/**
 * Seconds as m:ss, or h:mm:ss from an hour.
 *
 * @example
 * ```ts
 * formatDuration(75); // "1:15"
 * formatDuration(3725); // "1:02:05"
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const clip = (s: string, w: number): string => (s.length <= w ? s : `${s.slice(0, Math.max(0, w - 1))}…`);

/**
 * Compute progress. On a TTY: one line per op, redrawn in place, with a bar, the percentage,
 * tasks done/total and the ETA (from the op's rate so far), never wider than 80 columns
 * (or the terminal, when narrower). Not on a TTY (a pipe, a CI log): nothing while the
 * compute runs, then one summary line when it ends.
 *
 * @example
 * ```ts
 * await y.compute({ callbacks: [new ProgressBar()] });
 * // 1 multiply   [█████████████░░░░░░░░░░░░░░]  48%  12/25 ETA 0:07
 * ```
 */
export class ProgressBar implements Callback {
  readonly #stream: ProgressStream;
  readonly #ops = new Map<string, OpLine>();
  #order: string[] = [];
  #drawn = 0;
  #last = 0;
  #start = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ProgressBarOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
  }

  get #tty(): boolean {
    return this.#stream.isTTY === true;
  }

  /** Usable columns: at most 80, one less than the width so a full line never wraps. */
  get #width(): number {
    const cols = this.#stream.columns;
    return Math.max(20, Math.min(80, cols !== undefined && cols > 0 ? cols : 80)) - 1;
  }

  onComputeStart(e: ComputeStartEvent): void {
    this.#order = e.plan.stages.flat();
    this.#ops.clear();
    this.#drawn = 0;
    this.#start = e.time;
    for (const id of this.#order) {
      const op = e.plan.ops[id]!;
      this.#ops.set(id, { label: op.label, total: op.stats.numTasks, done: 0, skipped: 0 });
    }
    if (this.#tty) {
      this.#draw(true);
      this.#timer = setInterval(() => this.#draw(true), 1000);
      this.#timer.unref();
    }
  }

  onOperationStart(e: OperationStartEvent): void {
    const op = this.#ops.get(e.opId);
    if (op) {
      op.done = e.skippedTasks;
      op.skipped = e.skippedTasks;
      op.start = e.time;
      if (op.done >= op.total) op.end = e.time;
    }
    this.#draw(true);
  }

  onTaskEnd(e: TaskEndEvent): void {
    const op = this.#ops.get(e.opId);
    if (op) {
      op.done++;
      if (op.done >= op.total) op.end = Date.now();
    }
    this.#draw(false);
  }

  onComputeEnd(e: ComputeEndEvent): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) {
      this.#draw(true, e.ok ? undefined : "stopped");
      return;
    }
    let done = 0;
    let total = 0;
    for (const op of this.#ops.values()) {
      done += op.done;
      total += op.total;
    }
    const secs = ((e.time - this.#start) / 1000).toFixed(1);
    const counts = `${this.#ops.size} op${this.#ops.size === 1 ? "" : "s"}, ${done}/${total} tasks`;
    const line = e.ok
      ? `compute ${e.computeId} done: ${counts} in ${secs} s`
      : `compute ${e.computeId} failed after ${secs} s: ${counts} done (${(e.error ?? "unknown error").split("\n")[0]})`;
    this.#stream.write(`${clip(line, this.#width)}\n`);
  }

  /**
   * The lines the bar draws at time `now` (one per op, no escape codes); `unfinished` replaces
   * the status of ops that have not finished (e.g. "stopped").
   *
   * @example
   * ```ts
   * const bar = new ProgressBar();
   * await y.compute({ callbacks: [bar] });
   * console.log(bar.lines().join("\n"));
   * ```
   */
  lines(now = Date.now(), unfinished?: string): string[] {
    const width = this.#width;
    const ops = this.#order.map((id, i) => ({ name: `${i + 1} ${this.#ops.get(id)!.label}`, op: this.#ops.get(id)! }));
    const nameW = Math.min(18, Math.max(4, ...ops.map((o) => o.name.length)));
    const countW = Math.max(...ops.map((o) => `${o.op.total}/${o.op.total}`.length));
    return ops.map(({ name, op }) => {
      const frac = op.total === 0 ? 1 : op.done / op.total;
      let status: string;
      if (op.start === undefined) status = unfinished ?? "waiting";
      else if (op.end !== undefined) status = `in ${formatDuration((op.end - op.start) / 1000)}`;
      else if (unfinished) status = unfinished;
      else {
        const ran = op.done - op.skipped;
        status = ran === 0 ? "ETA --:--" : `ETA ${formatDuration((((now - op.start) / ran) * (op.total - op.done)) / 1000)}`;
      }
      const right = `${`${Math.floor(frac * 100)}%`.padStart(4)} ${`${op.done}/${op.total}`.padStart(countW)} ${status.padEnd(11)}`;
      const barW = width - nameW - right.length - 4;
      const head = clip(name, nameW).padEnd(nameW);
      if (barW < 5) return clip(`${head} ${right}`, width).trimEnd();
      const filled = Math.round(frac * barW);
      return `${head} [${"█".repeat(filled)}${"░".repeat(barW - filled)}] ${right}`.trimEnd();
    });
  }

  #draw(force: boolean, unfinished?: string): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (!force && now - this.#last < 100) return;
    this.#last = now;
    const lines = this.lines(now, unfinished);
    if (this.#drawn > 0) this.#stream.write(`\x1b[${this.#drawn}A`);
    this.#stream.write(lines.map((l) => `\r\x1b[2K${l}\n`).join(""));
    this.#drawn = lines.length;
  }
}
