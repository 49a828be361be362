/**
 * Per-execution data for a compiled plan: the execution input (plan URL,
 * start stage, inline task lists, S3 keys of the distributed task lists) and
 * the task-list objects to write to S3 before the execution starts.
 * @module
 */
import { type Plan, packTaskBatches } from "@cubed-ts/core";
import type { CompiledPlan, JsonObject } from "./compiler.js";
import { StepFunctionsConfigError } from "./errors.js";

/** The sub-directory of a compute's intermediate dir that holds task lists and Map results. */
export const SFN_DIR = "_sfn";

/** Options of {@link buildExecutionInput}. */
export interface ExecutionInputOptions {
  /** The content-addressed plan the worker loads (`…/_lambda/plan-<sha256>.json`). */
  planUrl: string;
  /** A short id of this execution (names its task lists and results in S3). */
  runId: string;
  /** Tasks already done per op (`compute({ resume: true })`): they are left out. */
  skip?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A task list a Distributed Map reads with its ItemReader. */
export interface TaskListObject {
  opId: string;
  /** `s3://bucket/key`. */
  url: string;
  bucket: string;
  key: string;
  /** The JSON array of chunk coordinates. */
  body: string;
  count: number;
}

/** What one execution needs. */
export interface ExecutionInput {
  /** The execution input (JSON); `startStage` says where the state machine begins. */
  input: JsonObject;
  /** The first stage with work left, or -1 when every task is done. */
  startStage: number;
  taskLists: TaskListObject[];
  /** Tasks to run, per op id (stages from `startStage` on). */
  remaining: Map<string, number[][]>;
}

/**
 * Every coordinate of a task grid, in C order.
 *
 * @example
 * ```ts
 * [...gridTasks([2, 2])]; // [[0,0],[0,1],[1,0],[1,1]]
 * ```
 */
export function* gridTasks(grid: readonly number[]): Generator<number[]> {
  if (grid.some((g) => g === 0)) return;
  const c = grid.map(() => 0);
  for (;;) {
    yield [...c];
    let d = grid.length - 1;
    while (d >= 0) {
      c[d]!++;
      if (c[d]! < grid[d]!) break;
      c[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

/**
 * Splits `s3://bucket/a/b` into bucket and key prefix.
 *
 * @example
 * ```ts
 * splitS3Url("s3://work/cubed/x"); // { bucket: "work", key: "cubed/x" }
 * ```
 */
export function splitS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new StepFunctionsConfigError(`Expected an s3:// URL, not ${url}.`);
  return { bucket: m[1]!, key: m[2]!.replace(/\/+$/, "") };
}

/**
 * Builds the execution input of a compiled plan and the task lists its
 * Distributed Maps read. Stages whose ops have nothing left to do (resume)
 * are skipped: the execution starts at the first stage with work left.
 *
 * @example
 * ```ts
 * const { input, taskLists, startStage } = buildExecutionInput(compiled, plan, { planUrl, runId: "r1" });
 * for (const t of taskLists) await putObject(t.bucket, t.key, t.body);
 * ```
 */
export function buildExecutionInput(compiled: CompiledPlan, plan: Plan, options: ExecutionInputOptions): ExecutionInput {
  const remaining = new Map<string, number[][]>();
  let startStage = -1;
  for (const op of compiled.ops) {
    const skip = options.skip?.get(op.opId);
    const tasks = [...gridTasks(plan.ops[op.opId]!.stats.taskGrid)].filter((c) => !skip?.has(c.join(",")));
    if (tasks.length > 0 && (startStage < 0 || op.stage < startStage)) startStage = op.stage;
    remaining.set(op.opId, tasks);
  }
  const { bucket, key: prefix } = splitS3Url(plan.intermediateDir);
  const base = `${prefix === "" ? "" : `${prefix}/`}${SFN_DIR}/${options.runId}`;
  const items: JsonObject = {};
  const lists: JsonObject = {};
  const counts: JsonObject = {};
  const taskLists: TaskListObject[] = [];
  for (const op of compiled.ops) {
    const k = `o${op.index}`;
    if (startStage < 0 || op.stage < startStage) {
      remaining.delete(op.opId);
      continue;
    }
    const tasks = remaining.get(op.opId)!;
    counts[k] = tasks.length;
    if (op.mode === "inline") {
      // the same packing the Lambda executor's client applies per op (core's runtime/task-batches.ts)
      items[k] = packTaskBatches(tasks, (c) => c, { maxTasks: compiled.tasksPerInvocation }).batches;
    } else {
      const key = `${base}/tasks-${k}.json`;
      lists[k] = key;
      taskLists.push({ opId: op.opId, url: `s3://${bucket}/${key}`, bucket, key, body: JSON.stringify(tasks), count: tasks.length });
    }
  }
  const input: JsonObject = {
    planUrl: options.planUrl, startStage, bucket, resultPrefix: `${base}/results`, counts, items, lists,
  };
  const size = Buffer.byteLength(JSON.stringify(input));
  if (size > 256 * 1024) {
    throw new StepFunctionsConfigError(`The execution input is ${size} bytes, over Step Functions' 256 KiB limit; lower inlineMaxBytes.`);
  }
  return { input, startStage, taskLists, remaining };
}
