import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ComputeReportData, HistoryCallback, InProcessExecutor, MemoryReport, ProgressBar, type ProgressStream, ReportRecorder, Spec,
  TimelineReport, compute, mean, memorySvg, multiply, random, sum, timelineSvg,
} from "../src/index.js";

const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A stream that keeps what is written (a TTY of `columns` when `tty`). */
function captureStream(tty: boolean, columns?: number): ProgressStream & { text: string } {
  return {
    text: "",
    isTTY: tty,
    ...(columns === undefined ? {} : { columns }),
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

/** What a terminal shows of `raw`: escape sequences removed, split into lines. */
const visibleLines = (raw: string): string[] => raw.replace(/\x1b\[\d*[AK]|\r/g, "").split("\n").filter((l) => l !== "");

/** Several ops over two stages: a partial reduction per chunk, then a combine. */
function workload() {
  const spec = new Spec({ workDir: tmp("cubed-cb-work-"), allowedMem: "200MB" });
  const x = random.random([40, 300], { chunks: [4, 100], seed: 3, spec });
  return [sum(x, { axis: 0 }), mean(multiply(x, x), { axis: 1 })] as const;
}

describe("ProgressBar", () => {
  it("on a TTY: one line per op with a bar, percentage, done/total and a status, within 80 columns", async () => {
    const stream = captureStream(true, 200);
    const history = new HistoryCallback({ dir: tmp("cubed-cb-hist-") });
    const bar = new ProgressBar({ stream });
    await compute(...workload(), { callbacks: [bar, history], executor: new InProcessExecutor({ concurrency: 2 }) });
    const lines = visibleLines(stream.text);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(79);
    const ops = JSON.parse(readFileSync(join(history.path, "plan.json"), "utf8")).ops as { id: string; numTasks: number }[];
    expect(ops.length).toBeGreaterThan(1);
    // the last frame: every op complete, with its own task count, from the plan summary
    const last = lines.slice(-ops.length);
    ops.forEach((op, i) => {
      expect(last[i]).toMatch(new RegExp(`^${i + 1} .*\\[█+\\]\\s+100%\\s+${op.numTasks}/${op.numTasks} in \\d+:\\d\\d$`));
    });
    // the first frame shows every op waiting at 0%
    expect(lines[0]).toMatch(/\[░+\]\s+0%\s+0\/\d+ waiting$/);
    // redrawn in place: the cursor goes up by one line per op
    expect(stream.text).toContain(`\x1b[${ops.length}A`);
  });

  it("a narrow terminal gets narrower lines", async () => {
    const stream = captureStream(true, 50);
    await compute(...workload(), { callbacks: [new ProgressBar({ stream })] });
    for (const l of visibleLines(stream.text)) expect([...l].length).toBeLessThanOrEqual(49);
  });

  it("the ETA is the op's time per finished task times the tasks left", () => {
    const bar = new ProgressBar({ stream: captureStream(true, 80) });
    const t0 = 1_000_000;
    const plan = { stages: [["a"]], ops: { a: { label: "multiply", stats: { numTasks: 10 } } } };
    bar.onComputeStart({ computeId: "c", plan, summary: {}, time: t0 } as unknown as Parameters<ProgressBar["onComputeStart"]>[0]);
    bar.onOperationStart({ computeId: "c", opId: "a", label: "multiply", numTasks: 10, skippedTasks: 0, time: t0 });
    expect(bar.lines(t0 + 1000)[0]).toMatch(/0%\s+0\/10 ETA --:--$/);
    for (let i = 0; i < 2; i++) bar.onTaskEnd({ opId: "a" } as Parameters<ProgressBar["onTaskEnd"]>[0]);
    // 2 tasks in 4 s: 2 s per task, 8 left: 16 s
    // 79 columns: name 10, "[" bar "]" and spaces 4, " 20%  2/10 ETA 0:16" padded to 22: a 43-cell bar, 20% of it filled
    expect(bar.lines(t0 + 4000)[0]).toBe(`1 multiply [${"█".repeat(9)}${"░".repeat(34)}]  20%  2/10 ETA 0:16`);
    // ~67 minutes left at 200 s per task
    expect(bar.lines(t0 + 400_000)[0]).toMatch(/ETA 26:40$/);
    expect(bar.lines(t0 + 4_000_000)[0]).toMatch(/ETA 4:26:40$/);
    bar.onComputeEnd({ computeId: "c", ok: false, error: "cancelled", time: t0 + 5000 });
  });

  it("not on a TTY: nothing during the compute, then one summary line", async () => {
    const stream = captureStream(false);
    const history = new HistoryCallback({ dir: tmp("cubed-cb-hist-") });
    await compute(...workload(), { callbacks: [new ProgressBar({ stream }), history] });
    expect(stream.text).not.toContain("\x1b");
    const lines = stream.text.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    const n = history.tasks.length;
    expect(lines[0]).toMatch(new RegExp(`^compute \\S+ done: \\d+ ops, ${n}/${n} tasks in \\d+\\.\\d s$`));
  });

  it("not on a TTY, a failed compute: one line saying how far it got", async () => {
    const stream = captureStream(false);
    const executor = new InProcessExecutor({ retries: 0, faults: { failRate: 1 } });
    await expect(compute(...workload(), { callbacks: [new ProgressBar({ stream })], executor })).rejects.toThrow(/injected failure/);
    const lines = stream.text.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^compute \S+ failed after \d+\.\d s: \d+ ops, 0\/\d+ tasks done \(/);
    expect(lines[0]!.length).toBeLessThanOrEqual(79);
  });
});

describe("TimelineReport and MemoryReport", () => {
  it("write SVG and HTML with one bar and one dot per task, each dot the task's own worker memory against its op's projection", async () => {
    const dir = tmp("cubed-cb-report-");
    const timeline = new TimelineReport(dir);
    const memory = new MemoryReport({ dir });
    const history = new HistoryCallback({ dir: tmp("cubed-cb-hist-") });
    await compute(...workload(), { callbacks: [timeline, memory, history] });
    expect(timeline.path).toBe(join(dir, "timeline.html"));
    expect(memory.path).toBe(join(dir, "memory.html"));
    const tasks = history.tasks;
    expect(tasks.length).toBeGreaterThan(4);
    const tsvg = readFileSync(join(dir, "timeline.svg"), "utf8");
    const msvg = readFileSync(join(dir, "memory.svg"), "utf8");
    expect(tsvg.match(/<rect class="task"/g)).toHaveLength(tasks.length);
    expect(msvg.match(/<circle class="measured"/g)).toHaveLength(tasks.length);
    expect(readFileSync(timeline.path, "utf8")).toContain(tsvg.trim());
    expect(readFileSync(memory.path, "utf8")).toContain(msvg.trim());

    // every task's dot is labelled with its own workerMem (not the process peak) and its op's projection
    const plan = JSON.parse(readFileSync(join(history.path, "plan.json"), "utf8")) as { ops: { id: string; projectedMem: number }[] };
    const projected = new Map(plan.ops.map((o) => [o.id, o.projectedMem]));
    const mbs = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);
    for (const t of tasks) {
      expect(t.workerMem).toBeGreaterThan(0);
      expect(msvg).toContain(`worker memory ${mbs(t.workerMem!)}, projected ${mbs(projected.get(t.opId)!)}</title>`);
    }
    const over = tasks.filter((t) => t.workerMem! > projected.get(t.opId)!).length;
    expect(msvg.match(/data-over="1"/g)?.length ?? 0).toBe(over);
    expect(memory.tasksOverProjection).toBe(over);
  });

  it("draw measured memory on the chart's scale and the projection as one step per op", () => {
    const data: ComputeReportData = {
      allowedMem: 1000e6,
      reservedMem: 100e6,
      wallSeconds: 2,
      ops: [
        { id: "a", label: "big", numTasks: 2, projectedMem: 800e6 },
        { id: "b", label: "small", numTasks: 1, projectedMem: 200e6 },
      ],
      // ended out of op order, and a process peak far above the small task's own memory
      tasks: [
        { opId: "a", worker: "w1", start: 0, end: 1, peakMem: 900e6, workerMem: 500e6 },
        { opId: "b", worker: "w1", start: 1.1, end: 1.5, peakMem: 900e6, workerMem: 150e6 },
        { opId: "a", worker: "w2", start: 0, end: 1.2, peakMem: 900e6, workerMem: 850e6 },
      ],
    };
    const svg = memorySvg(data);
    // y = top + plotH - b / yMax * plotH with top 14, plotH 256, yMax = 1000 MB × 1.08
    const y = (b: number): string => (14 + 256 - (b / 1080e6) * 256).toFixed(1);
    const cys = [...svg.matchAll(/<circle class="measured" data-op="(\w)"[^>]* cy="([\d.]+)"/g)].map((m) => [m[1], m[2]]);
    // grouped by op (a's tasks in the order they ended, then b), at the worker memory
    expect(cys).toEqual([["a", y(500e6)], ["a", y(850e6)], ["b", y(150e6)]]);
    expect(svg.match(/data-over="1"/g)).toHaveLength(1); // a's 850 MB task
    const steps = [...svg.matchAll(/[ML][\d.]+,([\d.]+) H/g)].map((m) => m[1]);
    expect(steps).toEqual([y(800e6), y(800e6), y(200e6)]);
    expect(timelineSvg(data).match(/<rect class="task"/g)).toHaveLength(3);
  });

  it("the recorder's times are relative to the compute's start", async () => {
    const rec = new ReportRecorder();
    const before = Date.now();
    await compute(...workload(), { callbacks: [rec] });
    const d = rec.data();
    expect(d.wallSeconds).toBeGreaterThan(0);
    expect(d.wallSeconds).toBeLessThanOrEqual((Date.now() - before) / 1000 + 1e-3);
    for (const t of d.tasks) {
      expect(t.start).toBeGreaterThanOrEqual(-0.01);
      expect(t.end).toBeLessThanOrEqual(d.wallSeconds + 0.01);
    }
    expect(d.ops.reduce((a, o) => a + o.numTasks, 0)).toBe(d.tasks.length);
  });
});
