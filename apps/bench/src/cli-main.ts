import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { mkdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type Plan, ProgressBar, type ProgressStream, parseMemory } from "@cubed-ts/core";
import type { InputCompressor } from "./inputs.js";
import { APIS, type ApiName, EXECUTORS, type ExecutorName, runQuadraticMeans } from "./quadratic-means.js";
import { type AwsOptions, isAwsExecutor } from "./aws-executors.js";
import { HTTP_WORKERS, type HttpOptions, type HttpWorkerName } from "./http-run.js";
import { isStoreUrl, normalizeLocation } from "./location.js";
import { renderScalingHtml, writeRunReport } from "./html-report.js";
import { type TaskCosts, fitTaskCosts, simPlanFromPlan } from "./simulate.js";
import { PLATFORMS, type PlatformName, type SweepRow, formatProjection, formatSweep, probeStorage, projectToCloud, runWeakSweep } from "./scaling.js";
import { formatReport } from "./report.js";
import { formatProbe, probeHost } from "./probe.js";
import { runSideBySideCli } from "./side-by-side-cli.js";

/** Where the CLI writes and which environment it runs in (injectable for tests). */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where the progress bar draws (default `process.stderr`): a bar on a TTY, one summary line otherwise. */
  progress: ProgressStream;
  /** Aborting it (the CLI does on Ctrl-C) stops the run, removes its intermediates and returns 130. */
  signal: AbortSignal;
}

export const USAGE = `Usage: pnpm bench quadratic-means [options]
       node apps/bench/dist/cli.js quadratic-means [options]
       pnpm bench probe [--size 151.6MB] [--repeat 5]   (fresh vs reused memory)
       pnpm bench side-by-side [--t 50] [--t-own 130] [--runs 3]  (see --help)

Computes mean(u*u), mean(v*v) and mean(u*v) over the time axis of two float64
arrays of shape (t, 1, 987, 1920), chunks (10, 1, 987, 1920), in one cubed-ts
compute; prints wall time, GB/s, tasks, projected and measured memory, and
checks the result against a reference streamed from the Zarr chunks.

Options:
  --t N                time steps (default 10; with --input-dir: from the data)
  --work-dir DIR       generated inputs (DIR/inputs/t<N>/) and intermediates
                       (default <os tmpdir>/cubed-ts-bench); an s3://bucket/
                       prefix for lambda | stepfunctions (with --aws local,
                       default s3://cubed-bench/work)
  --allowed-mem SIZE   memory per task: 2GB, 1500MB, 1GiB (default 2GB)
  --input-dir DIR      use DIR/u.zarr and DIR/v.zarr (Zarr v2 or v3; s3:// for
                       the AWS executors) instead of generating inputs
  --api NAME           ${APIS.join(" | ")} (default labelled: the notebook's
                       Dataset code; core: mean(multiply(u, u), axis 0) etc.)
  --executor NAME      ${EXECUTORS.join(" | ")}
                       (default inprocess); lambda and stepfunctions run every
                       task in the @cubed-ts/exec-lambda worker on AWS Lambda
                       (endpoints, region, credentials from the AWS_* env) and
                       report invocations and cost
  --aws local          with lambda | stepfunctions: start local stand-ins (S3,
                       Lambda Invoke running the real worker, Step Functions;
                       on 127.0.0.1, in a child process) and deploy the worker
  --endpoint URL       with http: a deployed worker speaking the cubed-ts worker
                       protocol (Cloud Run function, Cloudflare Worker); the
                       shared secret comes from CUBED_WORKER_SECRET
  --http-worker NAME   with http: start ${HTTP_WORKERS.join(" | ")} locally
                       for the run (real runtime from npm, 127.0.0.1) with a
                       local S3 (default work dir s3://cubed-bench/work)
  --reserved-mem SIZE  memory a task's process uses besides data (default
                       100MB; e.g. 20MB in a 128 MB Workers isolate)
  --time-chunk N       time steps per chunk of generated inputs (default 10)
  --spatial-chunks L   chunk sizes of generated inputs along the spatial axes,
                       e.g. 1,987,480 (default: whole, 1,987,1920)
  --function NAME      the worker Lambda (default
                       cubed-ts_<version>_<MB>MB_bench; with --aws local:
                       cubed-ts-bench)
  --deploy-role ARN    create or update that worker (with the labelled
                       kernels) before the run, with this execution role
  --sfn-role ARN       stepfunctions: the role its state machines run as
  --state-machine ARN  stepfunctions: or an existing state machine to update
  --concurrency N      tasks in flight at once (default 2)
  --seed N             seed of generated u; v uses N + 1 (default 1)
  --input-compressor C compressor of generated inputs: zstd | gzip | none
                       (default none: fastest on local disk)
  --report-dir DIR     write results.json and report.html (timeline, memory
                       chart, plan) to DIR (default <work dir>/reports/<time>-
                       t<N>-<executor>-<api>; with an s3:// work dir, under
                       <os tmpdir>/cubed-ts-bench/reports/)
  --sweep weak         weak scaling: t = (--t) × w on w workers for each w of
                       --workers; prints time and per-task memory per size and
                       the simulation's prediction of each size from the
                       first one's per-task costs
  --workers LIST       workers of the sweep, e.g. 1,2 (default 1,2)
  --simulate SPEC      project onto AWS Lambda + S3 with a discrete-event
                       simulation fed by this run's per-task costs, e.g.
                       containers=1000,t=50000 (prints wall time, cost and
                       every assumption with its source); platform=${PLATFORMS.join(" |\n                       ")}
                       (default aws-lambda)
  --json FILE          also write every measured number as JSON to FILE
  --no-verify          skip the reference check
  --save-means DIR     write the three means to DIR as raw little-endian
                       float64 (uu.f64, vv.f64, uv.f64), to compare engines
  --profile            per op: bytes of new array buffers, minor/major page
                       faults and read / compute / write time of its tasks
                       (also in --json as "profile")
  --repeat N           compute N times on one executor (the first cold, the
                       rest on warm workers); prints each compute's wall time,
                       GB/s, minor faults per GB and new array bytes (in
                       --json as "repeats"); the rest of the report is the
                       first compute's
  --no-progress        no progress bar (on a terminal the bar shows each op's
                       percentage, tasks done/total and ETA; otherwise one
                       summary line ends the compute)
  -h, --help           show this help

Ctrl-C stops the running tasks and removes the compute's intermediates and
the dataset view (generated inputs stay), then exits with code 130.
Exit codes: 0 ok (and verified), 1 failed or verification failed, 2 bad
arguments, 130 interrupted. Relative paths are resolved against the directory
the command was started in.`;

const COMMANDS = ["quadratic-means"] as const;

function spatialChunksOption(raw: string): number[] {
  const parts = raw.split(",").map((x) => x.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--spatial-chunks must be three positive integers like 1,987,480, got ${JSON.stringify(raw)}.`);
  }
  return parts.map(Number);
}

/** The HTTP options of the command line, checked against the executor; undefined for other executors. */
function httpOptions(values: Record<string, string | boolean | undefined>, executor: string | undefined): HttpOptions | undefined {
  const endpoint = values.endpoint as string | undefined;
  const worker = values["http-worker"] as string | undefined;
  if (executor !== "http") {
    if (endpoint !== undefined || worker !== undefined) throw new UsageError(`--${endpoint !== undefined ? "endpoint" : "http-worker"} needs --executor http.`);
    return undefined;
  }
  if ((endpoint === undefined) === (worker === undefined)) throw new UsageError("--executor http needs either --endpoint URL or --http-worker NAME.");
  if (worker !== undefined && !(HTTP_WORKERS as readonly string[]).includes(worker)) {
    throw new UsageError(`--http-worker must be one of ${HTTP_WORKERS.join(", ")}, got ${JSON.stringify(worker)}.`);
  }
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}.`);
  return endpoint !== undefined ? { endpoint } : { worker: worker as HttpWorkerName };
}

/** A bad command line: reported with exit code 2. */
class UsageError extends Error {}

function intOption(raw: string | undefined, name: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}.`);
  }
  return Number(raw);
}

function compressorOption(raw: string | undefined): InputCompressor | undefined {
  if (raw === undefined) return undefined;
  if (raw === "zstd" || raw === "gzip") return raw;
  if (raw === "none") return null;
  throw new UsageError(`--input-compressor must be zstd, gzip or none, got ${JSON.stringify(raw)}.`);
}

function workersOption(raw: string | undefined): number[] {
  if (raw === undefined) return [1, 2];
  const parts = raw.split(",").map((x) => x.trim());
  if (parts.length === 0 || parts.some((x) => !/^\d+$/.test(x) || Number(x) < 1)) {
    throw new UsageError(`--workers must be a comma-separated list of integers ≥ 1, got ${JSON.stringify(raw)}.`);
  }
  return parts.map(Number);
}

function simulateOption(raw: string | undefined): { containers: number; t: number; platform?: PlatformName } | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, number> = {};
  let platform: PlatformName | undefined;
  for (const part of raw.split(",")) {
    const pm = /^\s*platform\s*=\s*([a-z-]+)\s*$/.exec(part);
    if (pm) {
      if (!(PLATFORMS as readonly string[]).includes(pm[1]!)) throw new UsageError(`--simulate platform= must be one of ${PLATFORMS.join(", ")}, got ${JSON.stringify(pm[1])}.`);
      platform = pm[1] as PlatformName;
      continue;
    }
    const m = /^\s*(containers|t)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) < 1) throw new UsageError(`--simulate must look like containers=1000,t=50000, got ${JSON.stringify(raw)}.`);
    out[m[1]!] = Number(m[2]);
  }
  if (out.containers === undefined || out.t === undefined) {
    throw new UsageError(`--simulate needs both containers= and t=, got ${JSON.stringify(raw)}.`);
  }
  return { containers: out.containers, t: out.t, ...(platform ? { platform } : {}) };
}

function apiOption(raw: string | undefined): ApiName | undefined {
  if (raw === undefined) return undefined;
  if ((APIS as readonly string[]).includes(raw)) return raw as ApiName;
  throw new UsageError(`--api must be one of ${APIS.join(", ")}, got ${JSON.stringify(raw)}.`);
}

type Values = Record<string, string | boolean | undefined>;

/** The AWS options of the command line, checked against the executor; undefined for local executors. */
function awsOptions(values: Values, executor: ExecutorName | undefined): AwsOptions | undefined {
  const str = (k: string): string | undefined => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const given = ["aws", "function", "deploy-role", "sfn-role", "state-machine"].filter((k) => values[k] !== undefined);
  if (executor === undefined || !isAwsExecutor(executor)) {
    if (given.length > 0) throw new UsageError(`--${given[0]} needs --executor lambda or stepfunctions.`);
    return undefined;
  }
  const aws = str("aws");
  if (aws !== undefined && aws !== "local") throw new UsageError(`--aws must be local, got ${JSON.stringify(aws)} (for real AWS, leave it out).`);
  const local = aws === "local";
  if (local && (values["deploy-role"] !== undefined || values["sfn-role"] !== undefined || values["state-machine"] !== undefined)) {
    throw new UsageError("--aws local deploys its own worker and state machines: leave out --deploy-role, --sfn-role and --state-machine.");
  }
  if (executor === "stepfunctions" && !local && values["sfn-role"] === undefined && values["state-machine"] === undefined) {
    throw new UsageError("--executor stepfunctions needs --sfn-role ARN or --state-machine ARN (or --aws local).");
  }
  return {
    local,
    ...(str("function") !== undefined ? { functionName: str("function") } : {}),
    ...(str("deploy-role") !== undefined ? { deployRoleArn: str("deploy-role") } : {}),
    ...(str("sfn-role") !== undefined ? { stepFunctionsRoleArn: str("sfn-role") } : {}),
    ...(str("state-machine") !== undefined ? { stateMachineArn: str("state-machine") } : {}),
  };
}

function executorOption(raw: string | undefined): ExecutorName | undefined {
  if (raw === undefined) return undefined;
  const name = raw === "in-process" ? "inprocess" : raw;
  if ((EXECUTORS as readonly string[]).includes(name)) return name as ExecutorName;
  throw new UsageError(`--executor must be one of ${EXECUTORS.join(", ")}, got ${JSON.stringify(raw)}.`);
}

/** `probe`: prints what fresh memory costs on this host against reused memory. */
function runProbe(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    const { values } = parseArgs({ args: argv.filter((a) => a !== "--"), strict: true, options: { size: { type: "string" }, repeat: { type: "string" } } });
    const bytes = values.size === undefined ? undefined : parseMemory(values.size, "--size");
    const repeat = intOption(values.repeat, "repeat", 1);
    out(formatProbe(probeHost({ ...(bytes === undefined ? {} : { bytes }), ...(repeat === undefined ? {} : { repeat }) })));
    return 0;
  } catch (e) {
    err(`error: ${(e as Error).message}\nRun with --help for usage.`);
    return 2;
  }
}

/**
 * Runs the bench CLI on `argv` (the arguments after the script) and returns
 * the exit code: 0 success, 1 failure (including a failed verification), 2
 * bad arguments, 130 cancelled through `io.signal`. A `--` anywhere is ignored,
 * so `pnpm bench -- ...` works too.
 *
 * @example
 * ```ts
 * const code = await runCli(["quadratic-means", "--t", "10", "--work-dir", "/tmp/qm"]);
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.out ?? ((s: string): void => void process.stdout.write(`${s}\n`));
  const err = io.err ?? ((s: string): void => void process.stderr.write(`${s}\n`));
  const env = io.env ?? process.env;
  // Under `pnpm bench` the script runs in apps/bench; resolve paths against where the user typed the command.
  const base = io.cwd ?? (env.npm_lifecycle_event === "bench" && env.INIT_CWD ? env.INIT_CWD : process.cwd());
  const path = (p: string): string => (isStoreUrl(p) ? normalizeLocation(p) : isAbsolute(p) ? p : resolve(base, p));

  if (argv.find((a) => a !== "--") === "probe") return runProbe(argv.slice(argv.indexOf("probe") + 1), out, err);
  if (argv.find((a) => a !== "--") === "side-by-side") {
    return runSideBySideCli(argv.slice(argv.indexOf("side-by-side") + 1), { out, err, cwd: base, ...(io.signal ? { signal: io.signal } : {}) });
  }

  let parsed;
  try {
    parsed = parseArgs({
      args: argv.filter((a) => a !== "--"),
      allowPositionals: true,
      strict: true,
      options: {
        t: { type: "string" },
        "work-dir": { type: "string" },
        "allowed-mem": { type: "string" },
        "input-dir": { type: "string" },
        executor: { type: "string" },
        api: { type: "string" },
        sweep: { type: "string" },
        workers: { type: "string" },
        simulate: { type: "string" },
        "report-dir": { type: "string" },
        concurrency: { type: "string" },
        seed: { type: "string" },
        "input-compressor": { type: "string" },
        json: { type: "string" },
        aws: { type: "string" },
        endpoint: { type: "string" },
        "http-worker": { type: "string" },
        "reserved-mem": { type: "string" },
        "time-chunk": { type: "string" },
        "spatial-chunks": { type: "string" },
        function: { type: "string" },
        "deploy-role": { type: "string" },
        "sfn-role": { type: "string" },
        "state-machine": { type: "string" },
        "save-means": { type: "string" },
        "no-verify": { type: "boolean" },
        "no-progress": { type: "boolean" },
        profile: { type: "boolean" },
        repeat: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    err(`error: ${(e as Error).message}\nRun with --help for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }

  let options: Parameters<typeof runQuadraticMeans>[0];
  let jsonFile: string | undefined;
  let reportDir: string | undefined;
  let sweep = false;
  let workers: number[] = [1, 2];
  let simulate: { containers: number; t: number; platform?: PlatformName } | undefined;
  try {
    if (positionals.length === 0) throw new UsageError(`Missing the benchmark name (one of: ${COMMANDS.join(", ")}).`);
    if (positionals.length > 1 || !(COMMANDS as readonly string[]).includes(positionals[0]!)) {
      throw new UsageError(`Unknown benchmark ${JSON.stringify(positionals.join(" "))}: expected one of ${COMMANDS.join(", ")}.`);
    }
    const allowedMem = values["allowed-mem"] ?? "2GB";
    try {
      parseMemory(allowedMem, "--allowed-mem");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const inputDir = values["input-dir"] === undefined ? undefined : path(values["input-dir"]);
    const t = intOption(values.t, "t", 1);
    const executor = executorOption(values.executor);
    const aws = awsOptions(values, executor);
    const http = httpOptions(values, executor);
    if (values["reserved-mem"] !== undefined) {
      try {
        parseMemory(values["reserved-mem"], "--reserved-mem");
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    if (http && (values.sweep !== undefined || values.simulate !== undefined)) {
      throw new UsageError("--sweep and --simulate measure local storage; they cannot be used with --executor http.");
    }
    if (http?.worker && inputDir !== undefined) throw new UsageError("--http-worker starts an empty S3: it generates its inputs and cannot use --input-dir.");
    const defaultWorkDir = aws?.local || http?.worker ? "s3://cubed-bench/work" : join(tmpdir(), "cubed-ts-bench");
    const workDir = path(values["work-dir"] ?? defaultWorkDir);
    if (executor !== undefined && isAwsExecutor(executor)) {
      for (const [name, at] of [["--work-dir", workDir], ["--input-dir", inputDir]] as const) {
        if (at !== undefined && !at.startsWith("s3://")) {
          throw new UsageError(`--executor ${executor} needs ${name} on S3 (s3://bucket/prefix), got ${JSON.stringify(at)}; or use --aws local.`);
        }
      }
      if (aws?.local && inputDir !== undefined) throw new UsageError("--aws local starts an empty S3: it generates its inputs and cannot use --input-dir.");
      if (values.sweep !== undefined || values.simulate !== undefined) {
        throw new UsageError(`--sweep and --simulate measure local storage; they cannot be used with --executor ${executor}.`);
      }
    }
    options = {
      t: t ?? (inputDir === undefined ? 10 : undefined),
      workDir,
      allowedMem,
      inputDir,
      executor,
      ...(aws !== undefined ? { aws } : {}),
      ...(http !== undefined ? { http } : {}),
      ...(values["reserved-mem"] !== undefined ? { reservedMem: values["reserved-mem"] } : {}),
      timeChunk: intOption(values["time-chunk"], "time-chunk", 1),
      ...(values["spatial-chunks"] !== undefined ? { spatialChunks: spatialChunksOption(values["spatial-chunks"]) } : {}),
      api: apiOption(values.api) ?? (http ? "core" : undefined),
      concurrency: intOption(values.concurrency, "concurrency", 1),
      seed: intOption(values.seed, "seed", 0),
      inputCompressor: compressorOption(values["input-compressor"]),
      verify: !values["no-verify"],
      ...(values["save-means"] !== undefined ? { saveMeans: path(values["save-means"]) } : {}),
      ...(values.profile ? { profile: true } : {}),
      ...(values.repeat !== undefined ? { repeat: intOption(values.repeat, "repeat", 1) } : {}),
      log: (line) => err(line),
      callbacks: values["no-progress"] ? [] : [new ProgressBar({ stream: io.progress ?? process.stderr })],
      ...(io.signal ? { signal: io.signal } : {}),
    };
    jsonFile = values.json === undefined ? undefined : path(values.json);
    reportDir = values["report-dir"] === undefined ? undefined : path(values["report-dir"]);
    if (values.sweep !== undefined && values.sweep !== "weak") {
      throw new UsageError(`--sweep must be weak, got ${JSON.stringify(values.sweep)}.`);
    }
    sweep = values.sweep === "weak";
    if (sweep && values.repeat !== undefined) throw new UsageError("--repeat cannot be used with --sweep (each sweep size is one compute).");
    if (sweep && inputDir !== undefined) throw new UsageError("--sweep generates its inputs; it cannot be used with --input-dir.");
    workers = workersOption(values.workers);
    simulate = simulateOption(values.simulate);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`error: ${e.message}\nRun with --help for usage.`);
    return 2;
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  // reports are local files: next to a local work dir, else under the os tmpdir
  const reportBase = isStoreUrl(options.workDir) ? join(tmpdir(), "cubed-ts-bench") : options.workDir;
  const dir = reportDir ?? join(reportBase, "reports", `${stamp}-t${options.t ?? "given"}-${options.executor ?? "inprocess"}-${options.api ?? "labelled"}${sweep ? "-sweep" : ""}`);
  const results = [];
  let costs: TaskCosts;
  let sweepRows: SweepRow[] | undefined;
  try {
    if (sweep) {
      const { t: baseT, concurrency: _c, ...run } = options;
      const s = await runWeakSweep({ baseT: baseT ?? 10, workers, run });
      for (const [i, r] of s.runs.entries()) {
        out(formatReport(r));
        const files = await writeRunReport(r, { dir: join(dir, `w${workers[i]}`) });
        out(`report: ${files.html}\nresults: ${files.json}\n`);
      }
      out(formatSweep(s));
      await writeFile(join(dir, "sweep.json"), `${JSON.stringify({ rows: s.rows, costs: s.costs }, null, 2)}\n`);
      await writeFile(join(dir, "sweep.html"), renderScalingHtml({ rows: s.rows }));
      out(`sweep: ${join(dir, "sweep.json")}\nsweep report: ${join(dir, "sweep.html")}`);
      sweepRows = s.rows;
      results.push(...s.runs);
      costs = s.costs;
    } else {
      let plan: Plan | undefined;
      const r = await runQuadraticMeans({ ...options, onPlan: (p) => void (plan = p) });
      out(formatReport(r));
      const files = await writeRunReport(r, { dir });
      out(`report: ${files.html}\nresults: ${files.json}`);
      results.push(r);
      costs = fitTaskCosts(
        r.tasks,
        r.wallSeconds,
        simulate ? await probeStorage(r.inputs.dir, options.workDir) : { readSecondsPerMB: 0, writeSecondsPerMB: 0 },
        plan ? simPlanFromPlan(plan) : undefined,
      );
    }
    if (simulate) {
      const first = results[0]!;
      const p = await projectToCloud({
        t: simulate.t,
        containers: simulate.containers,
        costs,
        templateDir: first.inputs.dir,
        workDir: options.workDir,
        allowedMem: String(options.allowedMem ?? "2GB"),
        ...(options.reservedMem !== undefined ? { reservedMem: String(options.reservedMem) } : {}),
        ...(simulate.platform ? { platform: simulate.platform } : {}),
      });
      out(`\n${formatProjection(p)}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "projection.json"), `${JSON.stringify(p, null, 2)}\n`);
      out(`projection: ${join(dir, "projection.json")}`);
      if (sweepRows) {
        await writeFile(join(dir, "sweep.html"), renderScalingHtml({ rows: sweepRows, projection: p }));
      }
    }
  } catch (e) {
    if (io.signal?.aborted) {
      err("interrupted: running tasks stopped; intermediates and the dataset view removed (inputs kept).");
      return 130;
    }
    err(`error: ${(e as Error).message}`);
    return 1;
  }
  const result = results[0]!;
  if (jsonFile !== undefined) {
    await mkdir(dirname(jsonFile), { recursive: true });
    await writeFile(jsonFile, `${JSON.stringify(sweep ? results : result, null, 2)}\n`);
    err(`wrote ${jsonFile}`);
  }
  return results.every((r) => r.verification === null || r.verification.verified) ? 0 : 1;
}
