/**
 * Runs tasks from a serialised plan in another thread or process, with nothing
 * but the plan JSON, an op id and chunk coordinates.
 *
 * Every plan is admitted before any task of it runs (`admitPlan`: validated,
 * kernel modules loaded only from the worker's allow-list, stores contained).
 *
 * - As a worker_thread: post `{ id, plan?: string, policy?: WorkerPolicy, planKey, opId, coords }`
 *   (the policy comes from the thread's owner, never from the plan); the
 *   reply is `{ id, result }`, `{ id, error: { message, tag } }`, or `{ id, needPlan: true }`
 *   when the plan text is needed again (the worker keeps the 8 most recent plans).
 *   Post `{ abort: id }` to abandon a running task: it writes nothing more.
 *   Post `{ warm: id, kernelModules? }` to have the thread load what tasks need before the first
 *   one arrives (the lazily loaded codecs, and the given kernel modules, which the owner must
 *   trust: they are its allow-list); the reply `{ warm: id }` says it is ready.
 * - As a process: `node task-worker.js --plan plan.json --op OP --coords 0,1`
 *   prints the TaskResult as JSON (used to measure one task's peak memory); its
 *   policy comes from `CUBED_KERNEL_MODULES` and `CUBED_ALLOWED_PREFIXES`. A
 *   refused plan or task exits with status 2 and the error's tag on stderr.
 */
import { readFileSync } from "node:fs";
import { isMainThread, parentPort } from "node:worker_threads";
import type { Plan } from "../plan/ir.js";
import { runTask } from "./task-runner.js";
import { type WorkerPolicy, admitPlan, policyFromEnv } from "./admit-plan.js";
import { warmUpWorker } from "./warm-up-worker.js";

const plans = new Map<string, Plan>();
const running = new Map<number, AbortController>();

if (!isMainThread && parentPort) {
  const port = parentPort;
  type TaskMessage = { id: number; planKey: string; plan?: string; policy?: WorkerPolicy; opId: string; coords: number[] };
  port.on("message", async (msg: TaskMessage | { abort: number } | { warm: number; kernelModules?: string[] }) => {
    if ("abort" in msg) {
      running.get(msg.abort)?.abort(new Error("abandoned by the executor"));
      return;
    }
    if ("warm" in msg) {
      try {
        await warmUpWorker({ kernelModules: msg.kernelModules ?? [] });
      } finally {
        port.postMessage({ warm: msg.warm });
      }
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
        plan = await admitPlan(msg.plan!, msg.policy ?? {});
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
  const coords = arg("--coords") === "" ? [] : arg("--coords").split(",").map(Number);
  Promise.resolve()
    .then(() => admitPlan(readFileSync(arg("--plan"), "utf8"), policyFromEnv()))
    .then((plan) => runTask(plan, arg("--op"), coords))
    .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
    .catch((err: Error & { _tag?: string }) => {
      const refused = ["PlanRejectedError", "UntrustedModuleError", "StoreAccessError", "KernelNotFoundError"].includes(err._tag ?? "");
      process.stderr.write(refused ? `${err._tag}: ${err.message}\n` : `${err.stack ?? err.message}\n`);
      process.exit(refused ? 2 : 1);
    });
}
