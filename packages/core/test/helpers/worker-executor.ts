import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type DagExecutor, type Plan, type TaskResult, runPlan, trustedKernelModules } from "../../src/index.js";

const workerScript = new URL("../../dist/runtime/task-worker.js", import.meta.url);

/**
 * Test executor: ships the plan as JSON text to a fresh worker_thread and runs
 * every task there from (plan, op id, coords) alone.
 */
export class WorkerThreadExecutor implements DagExecutor {
  readonly name = "test-worker-thread";
  tasksRun = 0;

  async execute(plan: Plan, context: Parameters<DagExecutor["execute"]>[1]): Promise<void> {
    const worker = new Worker(workerScript);
    const json = JSON.stringify(plan);
    let next = 0;
    const pending = new Map<number, { resolve: (r: TaskResult) => void; reject: (e: Error) => void }>();
    worker.on("message", (msg: { id: number; result?: TaskResult; error?: { message: string } }) => {
      const p = pending.get(msg.id)!;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result!);
    });
    try {
      await runPlan(plan, context, {
        concurrency: 1,
        submit: (opId, coords) =>
          new Promise<TaskResult>((resolve, reject) => {
            const id = next++;
            pending.set(id, { resolve, reject });
            this.tasksRun++;
            // the worker's allow-list: the kernel modules this (trusted) process loaded
            worker.postMessage({ id, planKey: plan.computeId, plan: json, policy: { kernelModules: trustedKernelModules() }, opId, coords });
          }),
      });
    } finally {
      await worker.terminate();
    }
  }
}

/** Test executor: runs every task in its own child process and records its peak RSS. */
export class ProcessPerTaskExecutor implements DagExecutor {
  readonly name = "test-process-per-task";
  readonly peaks: { opId: string; label: string; peakMem: number; projectedMem: number }[] = [];

  constructor(private readonly dir: string) {}

  async execute(plan: Plan, context: Parameters<DagExecutor["execute"]>[1]): Promise<void> {
    const planFile = join(this.dir, `plan-${plan.computeId}.json`);
    writeFileSync(planFile, JSON.stringify(plan));
    await runPlan(plan, context, {
      concurrency: 1,
      submit: (opId, coords) =>
        new Promise<TaskResult>((resolve, reject) => {
          const child = spawn(process.execPath, [workerScript.pathname, "--plan", planFile, "--op", opId, "--coords", coords.join(",")], {
            env: { ...process.env, CUBED_KERNEL_MODULES: trustedKernelModules().join(",") },
          });
          let out = "";
          let err = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          child.stderr.on("data", (d: Buffer) => (err += d.toString()));
          child.on("close", (code) => {
            if (code !== 0) return reject(new Error(`task process failed: ${err}`));
            const r = JSON.parse(out) as TaskResult;
            const op = plan.ops[opId]!;
            this.peaks.push({ opId, label: op.label, peakMem: r.peakMem, projectedMem: op.stats.projectedMem });
            resolve(r);
          });
        }),
    });
  }
}
