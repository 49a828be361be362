/**
 * The compiler: a finalized plan → one Amazon States Language (ASL) state
 * machine. Each op becomes a Map state whose iterations invoke the deployed
 * worker Lambda with the same small payload the Lambda executor sends
 * (`{ v, planUrl, opId, tasks, invocationId }`); the ops of a stage run side by
 * side in a Parallel state; stages follow each other in dependency order. A
 * Choice state at the start lets an execution begin at any stage (resume).
 *
 * The definition depends only on the plan's shape (op ids, task grids,
 * stages) and the options, never on URLs, so it is content-addressed and
 * reused across computes of the same shape. Per-execution data (the plan URL,
 * the task lists) travels in the execution input or in S3.
 * @module
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Plan } from "@cubed-ts/core";
import { StepFunctionsConfigError } from "./errors.js";

/** A JSON value (ASL definitions and execution inputs are plain JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Options of {@link compilePlan}. */
export interface CompileOptions {
  /** The worker Lambda's full ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`). */
  functionArn: string;
  /** Iterations of one Map in flight at once. Inline Maps are capped at 40 by AWS. Default 40 (inline), 1000 (distributed). */
  maxConcurrency?: number;
  /** Retries of a failed task (function error, timeout) by the state machine, after its first attempt. Default 2. */
  retries?: number;
  /** First retry delay in seconds (doubles, full jitter). Default 2. */
  retryIntervalSeconds?: number;
  /** Tasks per Lambda invocation in inline Maps (one Map item = one invocation). Default 1. */
  tasksPerInvocation?: number;
  /** Tasks per child workflow (one Lambda invocation) in Distributed Maps (ItemBatcher). Default 10. */
  itemsPerBatch?: number;
  /** Ops with more Map items than this use a Distributed Map. Default 200. */
  inlineMaxItems?: number;
  /** Inline items over the whole plan (each costs ~6 history events against the 25 000 limit). Default 2000. */
  inlineMaxTotalItems?: number;
  /** Bytes of inline task lists in the execution input (the input is capped at 256 KiB). Default 96 KiB. */
  inlineMaxBytes?: number;
  /** The Task state's timeout in seconds (keep it ≥ the function's timeout). Default 900. */
  taskTimeoutSeconds?: number;
}

/** How one op was compiled. */
export interface CompiledOp {
  opId: string;
  label: string;
  /** Position in the plan's stage order (0-based) and key in the execution input (`o<index>`). */
  index: number;
  stage: number;
  mode: "inline" | "distributed";
  /** The Map state's name. */
  mapState: string;
  /** The Task state's name inside the Map. */
  taskState: string;
  numTasks: number;
}

/** A compiled plan. */
export interface CompiledPlan {
  /** The ASL definition. */
  definition: JsonObject;
  /** `JSON.stringify(definition)`. */
  json: string;
  /** sha256 of `json`: the state machine's content address. */
  sha256: string;
  ops: CompiledOp[];
  /** Op ids per stage, as in the plan. */
  stages: string[][];
  tasksPerInvocation: number;
  itemsPerBatch: number;
}

/** Lambda service errors Step Functions should retry (CDK's `retryOnServiceExceptions` set, plus throttling). */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

const INLINE_MAX_CONCURRENCY = 40;

function stateName(prefix: string, label: string): string {
  const clean = label.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40);
  return `${prefix}-${clean}`.slice(0, 80);
}

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new StepFunctionsConfigError(`${name} must be an integer ≥ ${min}, not ${x}.`);
  return x;
}

/** Upper bound of the JSON size of one op's coordinate list. */
function gridJsonBytes(grid: readonly number[]): number {
  const n = grid.reduce((a, b) => a * b, 1);
  const perCoord = grid.reduce((a, g) => a + String(Math.max(0, g - 1)).length + 1, 1);
  return n * (perCoord + 1);
}

/**
 * Compiles a finalized plan into an ASL state machine definition.
 *
 * Ops with at most `inlineMaxItems` Map items (while the plan's inline budget
 * lasts) run in inline Maps fed from the execution input; larger ops run in
 * Distributed Maps that read their task list from S3 (`ItemReader`), group
 * tasks per child (`ItemBatcher`), fail on the first failed child
 * (`ToleratedFailureCount: 0`) and write child results to S3 (`ResultWriter`),
 * so no state's data nears 256 KiB and each child has its own history.
 *
 * @example
 * ```ts
 * const compiled = compilePlan(plan, { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:cubed-ts-v0-1-0-2048mb" });
 * validateDefinition(compiled.definition); // throws StepFunctionsConfigError when invalid
 * console.log(compiled.ops.map((o) => `${o.opId}: ${o.mode}`));
 * ```
 */
export function compilePlan(plan: Plan, options: CompileOptions): CompiledPlan {
  if (!/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(options.functionArn)) {
    throw new StepFunctionsConfigError(`functionArn must be a full Lambda function ARN, not ${JSON.stringify(options.functionArn)}.`);
  }
  const retries = positiveInt("retries", options.retries, 2, 0);
  const retryInterval = positiveInt("retryIntervalSeconds", options.retryIntervalSeconds, 2);
  const tpi = positiveInt("tasksPerInvocation", options.tasksPerInvocation, 1);
  const ipb = positiveInt("itemsPerBatch", options.itemsPerBatch, 10);
  const inlineMaxItems = positiveInt("inlineMaxItems", options.inlineMaxItems, 200, 0);
  const inlineMaxTotal = positiveInt("inlineMaxTotalItems", options.inlineMaxTotalItems, 2000, 0);
  const inlineMaxBytes = positiveInt("inlineMaxBytes", options.inlineMaxBytes, 96 * 1024, 0);
  const timeout = positiveInt("taskTimeoutSeconds", options.taskTimeoutSeconds, 900);
  if (options.maxConcurrency !== undefined) positiveInt("maxConcurrency", options.maxConcurrency, 1);

  const task = (parameters: JsonObject): JsonObject => ({
    Type: "Task",
    Resource: options.functionArn,
    Parameters: parameters,
    TimeoutSeconds: timeout,
    // keep each iteration's output tiny: the Map's result array counts against 256 KiB
    ResultSelector: { "tasks.$": "States.ArrayLength($.results)" },
    Retry: [
      { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
      { ErrorEquals: ["States.TaskFailed", "States.Timeout"], IntervalSeconds: retryInterval, MaxAttempts: retries, BackoffRate: 2, JitterStrategy: "FULL" },
    ],
    End: true,
  });

  const ops: CompiledOp[] = [];
  const states: JsonObject = {};
  let inlineItems = 0;
  let inlineBytes = 0;
  let index = 0;
  const stageEntries: string[] = [];
  plan.stages.forEach((stage, s) => {
    const maps: { name: string; state: JsonObject }[] = [];
    for (const opId of stage) {
      const op = plan.ops[opId];
      if (!op) throw new StepFunctionsConfigError(`The plan's stage ${s} names op ${opId}, which is not in the plan.`);
      const i = index++;
      const key = `o${i}`;
      const items = Math.ceil(op.stats.numTasks / tpi);
      const bytes = gridJsonBytes(op.stats.taskGrid) + items * 2;
      const inline = items <= inlineMaxItems && inlineItems + items <= inlineMaxTotal && inlineBytes + bytes <= inlineMaxBytes;
      if (inline) {
        inlineItems += items;
        inlineBytes += bytes;
      }
      const mapState = stateName(`Op${i}`, op.label);
      const taskState = `Run${i}`;
      ops.push({ opId, label: op.label, index: i, stage: s, mode: inline ? "inline" : "distributed", mapState, taskState, numTasks: op.stats.numTasks });
      let map: JsonObject;
      if (inline) {
        map = {
          Type: "Map",
          Comment: `op ${opId} (${op.label}): ${op.stats.numTasks} tasks, inline`,
          ItemsPath: `$.items.${key}`,
          ItemSelector: { "planUrl.$": "$.planUrl", "tasks.$": "$$.Map.Item.Value" },
          MaxConcurrency: Math.min(options.maxConcurrency ?? INLINE_MAX_CONCURRENCY, INLINE_MAX_CONCURRENCY),
          ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: taskState,
            States: {
              [taskState]: task({ v: 1, "planUrl.$": "$.planUrl", opId, "tasks.$": "$.tasks", "invocationId.$": "States.UUID()" }),
            },
          },
        };
      } else {
        map = {
          Type: "Map",
          Comment: `op ${opId} (${op.label}): ${op.stats.numTasks} tasks, distributed`,
          Label: key,
          ItemReader: {
            Resource: "arn:aws:states:::s3:getObject",
            ReaderConfig: { InputType: "JSON" },
            Parameters: { "Bucket.$": "$.bucket", "Key.$": `$.lists.${key}` },
          },
          ItemBatcher: { MaxItemsPerBatch: ipb, BatchInput: { "planUrl.$": "$.planUrl" } },
          MaxConcurrency: options.maxConcurrency ?? 1000,
          ToleratedFailureCount: 0,
          ItemProcessor: {
            ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
            StartAt: taskState,
            States: {
              [taskState]: task({ v: 1, "planUrl.$": "$.BatchInput.planUrl", opId, "tasks.$": "$.Items", "invocationId.$": "States.UUID()" }),
            },
          },
          ResultWriter: {
            Resource: "arn:aws:states:::s3:putObject",
            Parameters: { "Bucket.$": "$.bucket", "Prefix.$": "$.resultPrefix" },
          },
        };
      }
      maps.push({ name: mapState, state: map });
    }
    const next = s + 1 < plan.stages.length ? `Stage${s + 1}` : "Done";
    if (maps.length === 1) {
      const m = maps[0]!;
      states[m.name] = { ...m.state, ResultPath: null, Next: next };
      stageEntries.push(m.name);
    } else {
      const name = `Stage${s}`;
      states[name] = {
        Type: "Parallel",
        Comment: `stage ${s}: ${maps.length} independent ops`,
        // each branch ends with a tiny output, so the Parallel's result array stays small
        Branches: maps.map((m) => ({ StartAt: m.name, States: { [m.name]: { ...m.state, ResultSelector: { op: m.name }, End: true } } })),
        ResultPath: null,
        Next: next,
      };
      stageEntries.push(name);
    }
  });
  // stage transitions name the stage's entry state
  for (const st of Object.values(states)) {
    const o = st as JsonObject;
    const m = typeof o.Next === "string" ? /^Stage(\d+)$/.exec(o.Next) : null;
    if (m) o.Next = stageEntries[Number(m[1])]!;
  }
  states.Done = { Type: "Succeed" };
  const ordered: JsonObject = {};
  let startAt = stageEntries[0] ?? "Done";
  if (stageEntries.length > 1) {
    ordered.Resume = {
      Type: "Choice",
      Comment: "start at the first stage with work left (resume)",
      Choices: stageEntries.slice(1).map((name, k) => ({ Variable: "$.startStage", NumericEquals: k + 1, Next: name })),
      Default: stageEntries[0]!,
    };
    startAt = "Resume";
  }
  Object.assign(ordered, states);
  const definition: JsonObject = {
    Comment: `cubed-ts plan: ${Object.keys(plan.ops).length} ops in ${plan.stages.length} stages`,
    StartAt: startAt,
    States: ordered,
  };
  const json = JSON.stringify(definition);
  return {
    definition, json, sha256: createHash("sha256").update(json).digest("hex"), ops, stages: plan.stages.map((s) => [...s]),
    tasksPerInvocation: tpi, itemsPerBatch: ipb,
  };
}

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: { message?: string; path?: string; "Error code"?: string }[];
  errorsText: (sep?: string) => string;
};

let validator: AslValidator | undefined;

/**
 * Validates an ASL definition with asl-validator (JSON schema, transitions,
 * paths, ARNs). Throws `StepFunctionsConfigError` listing the problems.
 *
 * @example
 * ```ts
 * validateDefinition(compilePlan(plan, { functionArn }).definition);
 * ```
 */
export function validateDefinition(definition: JsonObject): void {
  validator ??= createRequire(import.meta.url)("asl-validator") as AslValidator;
  // the validator annotates the object it checks: give it a copy
  const r = validator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  if (!r.isValid) throw new StepFunctionsConfigError(`Invalid state machine definition: ${r.errorsText("; ")}`);
}
