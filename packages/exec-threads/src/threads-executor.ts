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
  /**
   * How long a worker may leave an abandoned task (timed out, or beaten by a backup copy)
   * unanswered before it counts as stuck and is replaced by a new thread. Default 30 000 ms.
   */
  stuckWorkerMs?: number;
}

interface Pending {
  resolve: (r: TaskResult & { worker: string }) => void;
  reject: (e: Error) => void;
  /** Set once the attempt is abandoned: fires if the worker never answers it. */
  watchdog?: ReturnType<typeof setTimeout>;
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
  /** Settles when the thread has loaded its modules (answered the warm-up message), or failed before. */
  started: Promise<void>;
  isStarted: boolean;
  /** Replaces this worker (rejecting what it has in flight) and stops it. */
  retire: (reason: Error) => void;
}

/**
 * Default of `stuckWorkerMs`. A worker answers an abandoned task at its next abort check, so
 * only a thread stuck in a kernel (a blocked event loop) stays silent this long; replacing it
 * keeps a long-lived pool from carrying a stuck thread into later computes.
 */
const STUCK_WORKER_MS = 30_000;

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
 * The constructor starts the threads (up to one per core), which load core, the codecs and
 * the kernel modules this process trusts while the caller builds its graph; `ready()`
 * resolves when all `maxWorkers` are up. The worker threads live as long as the executor: later computes run on the same
 * threads, so their buffer pools and compiled kernels are warm (a warm task maps no
 * new memory for chunks of the sizes it read before). Every compute's plan is still
 * admitted by every worker that runs one of its tasks, under the policy of that
 * compute. Idle workers are unref'd (an idle executor never keeps the process alive);
 * a worker that crashes or exits is replaced. `close()` (or `await using`) ends them.
 *
 * @example
 * ```ts
 * await using executor = new ThreadsExecutor({ maxWorkers: 2 });
 * const m = await mean(x, { axis: 0 }).compute({ executor });
 * const s = await sum(x, { axis: 0 }).compute({ executor }); // same threads, warm pools
 * ```
 */
export class ThreadsExecutor implements DagExecutor {
  readonly name = "threads";
  readonly maxWorkers: number;
  readonly batchSize: number;
  readonly options: Omit<RuntimeOptions, "concurrency">;
  readonly kernelModules: readonly string[];
  readonly allowedPrefixes: readonly string[] | undefined;
  readonly stuckWorkerMs: number;

  constructor(options: ThreadsExecutorOptions = {}) {
    const { maxWorkers, batchSize, kernelModules, allowedPrefixes, stuckWorkerMs, ...runtime } = options;
    this.stuckWorkerMs = stuckWorkerMs ?? STUCK_WORKER_MS;
    if (!Number.isInteger(this.stuckWorkerMs) || this.stuckWorkerMs < 1) {
      throw new ValueError(`Executor option stuckWorkerMs must be a positive integer (milliseconds), got ${stuckWorkerMs}.`, "stuckWorkerMs");
    }
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
    // start the threads now, so their start-up overlaps building the graph rather than the first compute
    for (let i = 0; i < this.#startCount(); i++) this.#worker(i);
  }

  /** Slot i holds thread-i; an empty slot (a thread that failed to start) is filled when next needed. */
  #pool: (PoolWorker | undefined)[] = [];
  #nextId = 0;
  /** Computes started on this executor: part of every plan key, so each compute's plan is admitted anew. */
  #computes = 0;
  /** Computes running and `ready()` calls waiting now (workers are ref'd while any is). */
  #active = 0;

  /** Threads the constructor starts: maxWorkers, but no more than one per core (`ready()` starts the rest). */
  #startCount(): number {
    return Math.min(this.maxWorkers, availableParallelism());
  }

  /** Thread i, started now if its slot is empty. */
  #worker(i: number): PoolWorker {
    return (this.#pool[i] ??= this.#spawn(i));
  }

  #hold(): void {
    this.#active++;
    for (const w of this.#pool) w?.worker.ref();
  }

  #release(): void {
    if (--this.#active === 0) for (const w of this.#pool) w?.worker.unref();
  }

  #spawn(i: number): PoolWorker {
    let startedOk = (): void => {};
    let startFailed = (_: Error): void => {};
    const w: PoolWorker = {
      name: `thread-${i}`, worker: new Worker(workerUrl), plans: new Set(), pending: new Map(), busy: 0,
      started: new Promise<void>((resolve, reject) => {
        startedOk = resolve;
        startFailed = reject;
      }),
      isStarted: false,
      retire: (reason) => {
        replace(reason);
        void w.worker.terminate();
      },
    };
    // awaited only by ready(): a thread that fails to start is reported there or by the tasks sent to it
    w.started.catch(() => undefined);
    // the thread loads core and the codecs now, and the kernel modules this process trusts (its allow-list),
    // so its first task does not wait for them; tasks posted meanwhile queue behind this message
    w.worker.postMessage({ warm: 0, kernelModules: [...trustedKernelModules(), ...this.kernelModules] });
    w.worker.on("message", (msg: { id: number; warm?: number; result?: TaskResult; needPlan?: boolean; error?: { message: string; tag?: string } }) => {
      // any answer means the thread runs its message loop with its modules loaded (normally the warm-up's)
      if (!w.isStarted) {
        w.isStarted = true;
        startedOk();
      }
      if (msg.warm !== undefined) return;
      const p = w.pending.get(msg.id);
      if (!p) return;
      if (msg.needPlan) {
        w.plans.delete(p.planKey);
        w.plans.add(p.planKey);
        w.worker.postMessage({ id: msg.id, planKey: p.planKey, plan: p.json, policy: p.policy, opId: p.opId, coords: p.coords });
        return;
      }
      w.pending.delete(msg.id);
      clearTimeout(p.watchdog);
      w.busy--;
      if (msg.error) p.reject(toError(msg.error));
      else p.resolve({ ...msg.result!, worker: w.name });
    });
    const replace = (err: Error): void => {
      startFailed(new Error(`worker ${w.name} failed to start: ${err.message}`, { cause: err }));
      if (this.#pool[i] !== w) return;
      for (const p of w.pending.values()) {
        clearTimeout(p.watchdog);
        p.reject(err);
      }
      w.pending.clear();
      // a thread that crashed after starting is replaced at once; one that never started is started
      // again only when a task needs its slot (no respawn loop when threads cannot start at all)
      this.#pool[i] = w.isStarted ? this.#spawn(i) : undefined;
    };
    w.worker.on("error", replace);
    w.worker.on("exit", (code) => replace(new Error(`worker ${w.name} exited with code ${code}`)));
    // an idle pool never keeps the process alive; a worker replaced during a compute is held like the others.
    // After the listeners: adding a "message" listener refs the worker again
    if (this.#active === 0) w.worker.unref();
    return w;
  }

  #submit(
    workers: number,
    json: string,
    planKey: string,
    policy: WorkerPolicy,
    opId: string,
    coords: number[],
    signal: AbortSignal,
  ): Promise<TaskResult & { worker: string }> {
    // the least busy of the compute's first `workers` threads (the pool may hold more, from ready() or an earlier compute)
    let w = this.#worker(0);
    for (let i = 1; i < workers; i++) {
      const b = this.#worker(i);
      if (b.busy < w.busy) w = b;
    }
    const id = this.#nextId++;
    w.busy++;
    return new Promise((resolve, reject) => {
      w.pending.set(id, { resolve, reject, planKey, json, policy, opId, coords });
      const first = !w.plans.has(planKey);
      w.plans.add(planKey);
      w.worker.postMessage({ id, planKey, plan: first ? json : undefined, policy: first ? policy : undefined, opId, coords });
      // an abandoned attempt (another copy won, it timed out, the run failed) stops writing; a worker
      // that does not answer it within stuckWorkerMs is stuck and is replaced
      signal.addEventListener("abort", () => {
        w.worker.postMessage({ abort: id });
        const p = w.pending.get(id);
        if (!p) return;
        p.watchdog = setTimeout(() => {
          if (w.pending.has(id)) w.retire(new Error(`worker ${w.name} did not stop an abandoned task within ${this.stuckWorkerMs} ms: replaced`));
        }, this.stuckWorkerMs);
        p.watchdog.unref();
      }, { once: true });
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
    for (let i = 0; i < workers; i++) this.#worker(i);
    const json = JSON.stringify(plan);
    // the workers' allow-list comes from this process (modules it loaded or registered kernels from), never from the plan
    const policy: WorkerPolicy = {
      kernelModules: [...trustedKernelModules(), ...this.kernelModules],
      ...(this.allowedPrefixes ? { allowedPrefixes: this.allowedPrefixes } : {}),
    };
    // keyed per compute (not by the plan text alone): a worker that kept an identical plan from an
    // earlier compute still admits this one, under this compute's policy
    const planKey = `${++this.#computes}:${createHash("sha256").update(json).digest("hex").slice(0, 16)}`;
    this.#hold();
    try {
      await runPlan(plan, context, {
        ...this.options,
        concurrency: inFlight,
        submit: async (opId, coords, _attempt, signal) =>
          usesMemoryStore(plan, opId)
            ? { ...(await runTask(plan, opId, coords, { signal })), worker: "main" }
            : this.#submit(workers, json, planKey, policy, opId, coords, signal),
      });
    } finally {
      this.#release();
    }
  }

  /**
   * Resolves once all `maxWorkers` threads have started and loaded their modules (core, the
   * codecs, and the kernel modules this process trusts), starting any that are not running
   * (the constructor starts up to one per core; `close()` ends them). Computes do not need it:
   * tasks sent to a starting thread wait for it. Await it to have the threads' start-up behind
   * you before a compute, e.g. before timing one. Rejects when a thread fails to start.
   *
   * @example
   * ```ts
   * const executor = new ThreadsExecutor({ maxWorkers: 2 });
   * await executor.ready();              // both threads are up, modules loaded
   * const t0 = performance.now();
   * await y.compute({ executor });       // no thread start-up inside this time
   * ```
   */
  async ready(): Promise<void> {
    const pool = Array.from({ length: this.maxWorkers }, (_, i) => this.#worker(i));
    // held while waiting: an unref'd starting thread would let the process exit under an awaited ready()
    this.#hold();
    try {
      await Promise.all(pool.map((w) => w.started));
    } finally {
      this.#release();
    }
  }

  /**
   * Stops the worker threads, dropping their buffer pools (a later compute starts new ones).
   *
   * @example
   * ```ts
   * const executor = new ThreadsExecutor({ maxWorkers: 2 });
   * try {
   *   await y.compute({ executor });
   * } finally {
   *   await executor.close();
   * }
   * ```
   */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = [];
    await Promise.all(pool.map((w) => w?.worker.terminate()));
  }

  /**
   * `await using executor = new ThreadsExecutor()` closes it at the end of the scope.
   *
   * @example
   * ```ts
   * { await using executor = new ThreadsExecutor({ maxWorkers: 2 }); await y.compute({ executor }); }
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
