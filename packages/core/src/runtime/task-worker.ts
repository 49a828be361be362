/**
 * Runs tasks from a serialised plan in another thread or process, with nothing
 * but the plan JSON, an op id and chunk coordinates.
 *
 * - As a worker_thread: post `{ id, plan?: string, planKey, opId, coords }`; the
 *   reply is `{ id, result }`, `{ id, error: { message, tag } }`, or `{ id, needPlan: true }`
 *   when the plan text is needed again (the worker keeps the 8 most recent plans).
 *   Post `{ abort: id }` to abandon a running task: it writes nothing more.
 * - As a process: `node task-worker.js --plan plan.json --op OP --coords 0,1`
 *   prints the TaskResult as JSON (used to measure one task's peak memory).
 */
import { readFileSync } from "node:fs";
import { isMainThread, parentPort } from "node:worker_threads";
import type { Plan } from "../plan/ir.js";
import { runTask } from "./task-runner.js";

const plans = new Map<string, Plan>();
const running = new Map<number, AbortController>();

async function importKernelModules(plan: Plan): Promise<void> {
  for (const m of plan.spec.kernelModules) await import(m);
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", async (msg: { id: number; planKey: string; plan?: string; opId: string; coords: number[] } | { abort: number }) => {
    if ("abort" in msg) {
      running.get(msg.abort)?.abort(new Error("abandoned by the executor"));
      return;
    }
    const ac = new AbortController();
    running.set(msg.id, ac);
    try {
      let plan = plans.get(msg.planKey);
      if (!plan && msg.plan === undefined) {
        // evicted from this worker's cache: ask the sender for the plan again
        port.postMessage({ id: msg.id, needPlan: true });
        return;
      }
      if (!plan) {
        plan = JSON.parse(msg.plan!) as Plan;
        await importKernelModules(plan);
        plans.set(msg.planKey, plan);
        // keep the few most recent plans (a long-lived pool serves many computes)
        if (plans.size > 8) plans.delete(plans.keys().next().value!);
      }
      const result = await runTask(plan, msg.opId, msg.coords, { signal: ac.signal });
      port.postMessage({ id: msg.id, result });
    } catch (err) {
      const e = err as Error & { _tag?: string };
      port.postMessage({ id: msg.id, error: { message: e.message, tag: e._tag, stack: e.stack } });
    } finally {
      running.delete(msg.id);
    }
  });
} else if (process.argv.includes("--plan")) {
  const arg = (name: string): string => process.argv[process.argv.indexOf(name) + 1]!;
  const plan = JSON.parse(readFileSync(arg("--plan"), "utf8")) as Plan;
  const coords = arg("--coords") === "" ? [] : arg("--coords").split(",").map(Number);
  importKernelModules(plan)
    .then(() => runTask(plan, arg("--op"), coords))
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    });
}
