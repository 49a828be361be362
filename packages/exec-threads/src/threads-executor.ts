import { availableParallelism, totalmem } from "node:os";
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { defaultWorkers } from "./default-workers.js";
import {
  type DagExecutor, type ExecutionContext, type Plan, type RuntimeOptions, type TaskResult, type WorkerPolicy, ValueError,
  formatMemory, runPlan, runTask, trustedKernelModules, validateRuntimeOptions,
} from "@cubed-ts/core";

/** Options of {@link ThreadsExecutor}: the shared runtime options plus the pool size. */
export interface ThreadsExecutorOptions extends Omit<RuntimeOptions, "concurrency"> {
  /**
   * Worker threads (tasks in flight at once). Default: one per core, capped per compute at what
   * fits in free memory at the plan's allowedMem (with a one-line notice on stderr when capped).
   */
  maxWorkers?: number;
  /** Tasks submitted per worker at once, so one task's I/O overlaps another's compute. Default 1. */
  batchSize?: number;
  /**
   * Kernel modules the workers may import besides those this process loaded or registered kernels from
   * (`trustedKernelModules()`): a plan naming any other module is refused by the workers.
   */
  kernelModules?: string[];
  /** When given, workers refuse plans naming stores outside these URL prefixes. */
  allowedPrefixes?: string[];
}

interface Pending {
  resolve: (r: TaskResult & { worker: string }) => void;
  reject: (e: Error) => void;
  /** What to resend if the worker no longer has the plan. */
  planKey: string;
  json: string;
  policy: WorkerPolicy;
  opId: string;
  coords: number[];
}

interface PoolWorker {
  name: string;
  worker: Worker;
  plans: Set<string>;
  pending: Map<number, Pending>;
  busy: number;
}

const workerUrl = new URL(import.meta.resolve("@cubed-ts/core/runtime/task-worker"));

function toError(e: { message: string; tag?: string }): Error {
  const err = new Error(e.message);
  if (e.tag) Object.assign(err, { _tag: e.tag });
  return err;
}

function usesMemoryStore(plan: Plan, opId: string): boolean {
  const op = plan.ops[opId]!;
  return [...op.inputs.map((i) => i.array), ...op.outputs].some((id) => {
    const src = plan.arrays[id]!.source;
    return (src.kind === "stored" || src.kind === "zarr") && src.url.startsWith("memory://");
  });
}

/**
 * Runs tasks on a pool of worker threads. Tasks cross the thread boundary as
 * (plan, op id, chunk coordinates): each worker receives the plan JSON once per
 * compute, admits it (validation, kernel modules from this process's allow-list
 * only, store containment: core's `admitPlan`) and runs core's `runTask`. Retries,
 * backups, timeouts and fault injection come from core's shared runtime. Ops
 * that touch `memory://` stores (which live in one thread) run on the calling thread.
 *
 * @example
 * ```ts
 * const executor = new ThreadsExecutor({ maxWorkers: 2 });
 * const result = await mean(x, { axis: 0 }).compute({ executor });
 * ```
 */
export class ThreadsExecutor implements DagExecutor {
  readonly name = "threads";
  readonly maxWorkers: number;
  readonly batchSize: number;
  readonly options: Omit<RuntimeOptions, "concurrency">;
  readonly kernelModules: readonly string[];
  readonly allowedPrefixes: readonly string[] | undefined;

  constructor(options: ThreadsExecutorOptions = {}) {
    const { maxWorkers, batchSize, kernelModules, allowedPrefixes, ...runtime } = options;
    this.kernelModules = [...(kernelModules ?? [])];
    this.allowedPrefixes = allowedPrefixes ? [...allowedPrefixes] : undefined;
    this.maxWorkers = maxWorkers ?? availableParallelism();
    this.batchSize = batchSize ?? 1;
    if (!Number.isInteger(this.maxWorkers) || this.maxWorkers < 1) {
      throw new ValueError(`Executor option maxWorkers must be a finite positive integer, got ${maxWorkers}.`, "maxWorkers");
    }
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ValueError(`Executor option batchSize must be a finite positive integer, got ${batchSize}.`, "batchSize");
    }
    if ("concurrency" in options) {
      throw new ValueError("ThreadsExecutor has no concurrency option: tasks in flight are maxWorkers × batchSize.", "concurrency");
    }
    for (const [name, v] of [["kernelModules", kernelModules], ["allowedPrefixes", allowedPrefixes]] as const) {
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === ""))) {
        throw new ValueError(`Executor option ${name} must be a list of non-empty strings, got ${JSON.stringify(v)}.`, name);
      }
    }
    validateRuntimeOptions(runtime);
    this.options = runtime;
    this.#defaultSize = maxWorkers === undefined;
  }

  #pool: PoolWorker[] = [];
  #nextId = 0;

  #spawn(i: number): PoolWorker {
    const w: PoolWorker = { name: `thread-${i}`, worker: new Worker(workerUrl), plans: new Set(), pending: new Map(), busy: 0 };
    w.worker.unref(); // an idle pool never keeps the process alive
    w.worker.on("message", (msg: { id: number; result?: TaskResult; needPlan?: boolean; error?: { message: string; tag?: string } }) => {
      const p = w.pending.get(msg.id);
      if (!p) return;
      if (msg.needPlan) {
        w.plans.delete(p.planKey);
        w.plans.add(p.planKey);
        w.worker.postMessage({ id: msg.id, planKey: p.planKey, plan: p.json, policy: p.policy, opId: p.opId, coords: p.coords });
        return;
      }
      w.pending.delete(msg.id);
      w.busy--;
      if (msg.error) p.reject(toError(msg.error));
      else p.resolve({ ...msg.result!, worker: w.name });
    });
    const replace = (err: Error): void => {
      if (this.#pool[i] !== w) return;
      for (const p of w.pending.values()) p.reject(err);
      w.pending.clear();
      this.#pool[i] = this.#spawn(i);
    };
    w.worker.on("error", replace);
    w.worker.on("exit", (code) => replace(new Error(`worker ${w.name} exited with code ${code}`)));
    return w;
  }

  #submit(
    json: string,
    planKey: string,
    policy: WorkerPolicy,
    opId: string,
    coords: number[],
    signal: AbortSignal,
  ): Promise<TaskResult & { worker: string }> {
    const w = this.#pool.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#nextId++;
    w.busy++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject, planKey, json, policy, opId, coords });
      const first = !w.plans.has(planKey);
      w.plans.add(planKey);
      w.worker.postMessage({ id, planKey, plan: first ? json : undefined, policy: first ? policy : undefined, opId, coords });
      // an abandoned attempt (another copy won, it timed out, the run failed) stops writing
      signal.addEventListener("abort", () => w.worker.postMessage({ abort: id }), { once: true });
    });
  }

  /** True when the caller left maxWorkers to the default (then each compute sizes the pool to free memory). */
  readonly #defaultSize: boolean = false;
  /** The capped pool size last noticed (one notice per change, not per compute). */
  #noticed: number | undefined;

  async execute(plan: Plan, context: ExecutionContext): Promise<void> {
    let workers = this.maxWorkers;
    if (this.#defaultSize) {
      const d = defaultWorkers({ cores: this.maxWorkers, allowedMem: plan.spec.allowedMem, batchSize: this.batchSize });
      workers = d.workers;
      if (d.notice !== undefined && d.workers !== this.#noticed) process.stderr.write(`${d.notice}\n`);
      this.#noticed = d.notice === undefined ? undefined : d.workers;
    }
    const inFlight = workers * this.batchSize;
    if (inFlight * plan.spec.allowedMem > totalmem()) {
      throw new ValueError(
        `${workers} workers × ${this.batchSize} task(s) each × allowedMem ${formatMemory(plan.spec.allowedMem)} ` +
          `exceeds this machine's memory (${formatMemory(totalmem())}). Use fewer workers or a smaller allowedMem.`,
        "maxWorkers",
      );
    }
    while (this.#pool.length < workers) this.#pool.push(this.#spawn(this.#pool.length));
    const json = JSON.stringify(plan);
    // the workers' allow-list comes from this process (modules it loaded or registered kernels from), never from the plan
    const policy: WorkerPolicy = {
      kernelModules: [...trustedKernelModules(), ...this.kernelModules],
      ...(this.allowedPrefixes ? { allowedPrefixes: this.allowedPrefixes } : {}),
    };
    const planKey = createHash("sha256").update(json).digest("hex").slice(0, 16);
    for (const w of this.#pool) w.worker.ref();
    try {
      await runPlan(plan, context, {
        ...this.options,
        concurrency: inFlight,
        submit: async (opId, coords, _attempt, signal) =>
          usesMemoryStore(plan, opId)
            ? { ...(await runTask(plan, opId, coords, { signal })), worker: "main" }
            : this.#submit(json, planKey, policy, opId, coords, signal),
      });
    } finally {
      for (const w of this.#pool) w.worker.unref();
    }
  }

  /** Stops the worker threads (they are restarted by the next compute). */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = [];
    await Promise.all(pool.map((w) => w.worker.terminate()));
  }
}
