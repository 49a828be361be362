/**
 * The side-by-side benchmark (issue #16): quadratic means on one host in one run, every
 * engine a fresh child process per run, engines alternating run by run (A B C … A B C …),
 * medians of N. cubed-ts, Dask and numpy on the same zarr-python Blosc inputs, cubed-ts
 * also on its own uncompressed inputs; every run's three means checked against its input
 * group's reference run. The host probe and the load average come first.
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Spec } from "@cubed-ts/core";
import { describeFailure, runChild } from "./child-process.js";
import { generateInputs } from "./inputs.js";
import { compareMeans, readMeans } from "./means-files.js";
import { warmPageCache } from "./page-cache.js";
import { type ProbeRow, formatProbe, probeHost } from "./probe.js";
import { DEFAULT_PYTHON, type PythonVersions, makeZarrPythonInputs, pythonVersions } from "./python-drivers.js";
import { DEFAULT_SPATIAL_SHAPE, DEFAULT_TIME_CHUNK, DEFAULT_TOLERANCE } from "./quadratic-means.js";
import type { QuadraticMeans } from "./reference.js";
import { type EngineSpec, type InputGroup, type RunSample, sideBySideEngines } from "./side-by-side-engines.js";
import { type EngineRow, formatSideBySideTable, summariseEngine, withDaskRatios } from "./side-by-side-table.js";

/** Options of {@link runSideBySide}. */
export interface SideBySideOptions {
  /** Time steps of the zarr-python Blosc inputs (cubed-ts, Dask, Cubed, numpy). Default 50. */
  t?: number;
  /** Time steps of cubed-ts's own uncompressed inputs. Default 130. */
  tOwn?: number;
  /** Runs of each engine (alternating); the table shows medians. Default 3. */
  runs?: number;
  /** Inputs go to `workDir/side-by-side/…` and `workDir/inputs/t<tOwn>` (shared with `quadratic-means`). */
  workDir: string;
  /** Where `side-by-side.md`, `side-by-side.json` and each run's files go. Default `workDir/reports/<time>-side-by-side`. */
  reportDir?: string;
  /** Default `/usr/bin/python3`. */
  python?: string;
  /** Threads of cubed-ts threads, Dask and Cubed. Default 2. */
  workers?: number;
  /** cubed-ts's and Cubed's allowed memory per task. Default `"2GB"`. */
  allowedMem?: string;
  /** Host probe buffer size and repeats (defaults: one chunk, 151.6 MB; 5). */
  probe?: { bytes?: number; repeat?: number };
  /** Largest allowed difference between engines' means. Default 1e-12. */
  tolerance?: number;
  /** Progress lines (phases and each run's numbers). */
  log?: (line: string) => void;
  /** Receives the header (host, load average, probe table) as soon as it is measured. */
  onHeader?: (markdown: string) => void;
  signal?: AbortSignal;
  /** @internal Keep every run's means files (`runs/<run>/means/`) instead of removing them once checked: lets tests compare them with an independent reference. */
  keepMeans?: boolean;
  /** @internal Non-time shape of both input sets (default (1, 987, 1920)): lets tests run the whole thing small. */
  spatialShape?: readonly number[];
}

/** What the host was doing and what it is. */
export interface HostInfo {
  cpus: number;
  cpuModel: string;
  totalMem: number;
  kernel: string;
  node: string;
  python: PythonVersions;
  /** 1, 5 and 15 minute load averages when the run started, when the first engine started, and when the last ended. */
  loadBefore: number[];
  loadBeforeRuns: number[];
  loadAfter: number[];
  /** The cubed-ts checkout's commit (`git describe --always --dirty`), when it is a git checkout. */
  commit?: string;
  date: string;
}

/** Everything one side-by-side run measured. */
export interface SideBySideResult {
  host: HostInfo;
  probe: ProbeRow[];
  inputs: Record<InputGroup, { dir: string; origin: string }> & { warmed: { files: number; bytes: number } };
  rows: EngineRow[];
  /** Runs in the order they ran, e.g. `r1 dask-threads-zp`. */
  order: string[];
  runs: number;
  tolerance: number;
  reportDir: string;
}

const benchCli = (): string => resolve(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: "1" };
  delete env.npm_lifecycle_event;
  delete env.INIT_CWD;
  return env;
}

function positive(x: number | undefined, fallback: number, name: string): number {
  const v = x ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}.`);
  return v;
}

function formatHeader(host: HostInfo, probe: readonly ProbeRow[]): string {
  const lib = (s: PythonVersions[keyof PythonVersions]): string => (typeof s === "object" && "version" in s ? s.version : "not installed");
  const p = host.python;
  return [
    `host: ${host.cpus} × ${host.cpuModel}, ${(host.totalMem / 2 ** 30).toFixed(1)} GiB, Linux ${host.kernel}; ` +
      `cubed-ts ${host.commit ?? "(not a git checkout)"} on Node ${host.node}; ` +
      `Python ${p.python} (numpy ${lib(p.numpy)}, zarr ${lib(p.zarr)}, numcodecs ${lib(p.numcodecs)}, dask ${lib(p.dask)}, cubed ${lib(p.cubed)})`,
    `load average (1, 5, 15 min) before the probe: ${host.loadBefore.map((x) => x.toFixed(2)).join(", ")}; before the runs: ${host.loadBeforeRuns.map((x) => x.toFixed(2)).join(", ")}`,
    "",
    formatProbe(probe),
  ].join("\n");
}

/**
 * The whole report as Markdown: the header (host, load averages, probe), the table, and
 * how the runs were made and checked.
 *
 * @example
 * ```ts
 * await writeFile("side-by-side.md", formatSideBySide(await runSideBySide({ workDir: "/tmp/qm" })));
 * ```
 */
export function formatSideBySide(r: SideBySideResult): string {
  const refs = r.rows.filter((x) => x.maxAbsDiff !== undefined);
  const worst = refs.length ? Math.max(...refs.map((x) => x.maxAbsDiff!)) : undefined;
  return [
    formatHeader(r.host, r.probe),
    "",
    formatSideBySideTable(r.rows),
    "",
    `${r.runs} run${r.runs === 1 ? "" : "s"} of each engine, each a fresh process, alternating engine by engine; ` +
      "compute time as each engine timed its compute alone (opening the arrays excluded); peak RSS is the whole process's " +
      "high-water mark, reset just before the compute; minor faults of the whole process during the compute, per 10^9 bytes of " +
      `uncompressed input. Inputs read once before the first run (${(r.inputs.warmed.bytes / 1e9).toFixed(2)} GB, page cache warm).`,
    `Means checked: every run against its input group's first cubed-ts run, max abs diff ≤ ${r.tolerance}` +
      `${worst !== undefined ? ` (largest seen ${worst.toExponential(1)})` : ""}; the own-input rows also against the bench's streamed reference in round 1.`,
    `load average after the runs: ${r.host.loadAfter.map((x) => x.toFixed(2)).join(", ")}`,
  ].join("\n");
}

/**
 * Runs the side-by-side benchmark: probes the host, writes (or reuses) the inputs, reads
 * them once, then runs every available engine `runs` times in alternation as child
 * processes, checks each run's means against its group's reference (throws when any
 * differs by more than `tolerance`, or a child fails), and writes `side-by-side.md` and
 * `side-by-side.json` to the report directory.
 *
 * @example
 * ```ts
 * const r = await runSideBySide({ workDir: "/tmp/qm", t: 50, tOwn: 130, runs: 3, log: console.error });
 * console.log(formatSideBySide(r));
 * ```
 */
export async function runSideBySide(options: SideBySideOptions): Promise<SideBySideResult> {
  const log = options.log ?? ((): void => {});
  const t = positive(options.t, 50, "t");
  const tOwn = positive(options.tOwn, 130, "tOwn");
  const runs = positive(options.runs, 3, "runs");
  const workers = positive(options.workers, 2, "workers");
  const python = options.python ?? DEFAULT_PYTHON;
  const allowedMem = options.allowedMem ?? "2GB";
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const spatial = options.spatialShape ?? DEFAULT_SPATIAL_SHAPE;
  const workDir = resolve(options.workDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const reportDir = resolve(options.reportDir ?? join(workDir, "reports", `${stamp}-side-by-side`));
  const spec = new Spec({ workDir, allowedMem }); // checks allowedMem before any work
  const cli = benchCli();
  if (!existsSync(cli)) throw new Error(`The built bench CLI ${cli} is missing: run \`pnpm build\` first.`);

  const loadBefore = loadavg();
  const versions = await pythonVersions(python);
  const git = await runChild("git", ["describe", "--always", "--dirty", "--abbrev=7"], { cwd: dirname(cli) }).catch(() => undefined);
  const commit = git?.code === 0 ? git.stdout.trim() : undefined;
  for (const lib of ["numpy", "zarr", "numcodecs"] as const) {
    const s = versions[lib];
    if ("error" in s) throw new Error(`${python} cannot import ${lib} (${s.error}): install Debian's python3-${lib} (apt-get install -y python3-${lib}).`);
  }
  log("probing the host (fresh vs reused memory)");
  const probe = probeHost(options.probe ?? {});
  const host: HostInfo = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    totalMem: totalmem(),
    kernel: release(),
    node: process.version,
    python: versions,
    loadBefore,
    loadBeforeRuns: [],
    loadAfter: [],
    ...(commit !== undefined ? { commit } : {}),
    date: new Date().toISOString(),
  };

  const shapeTag = spatial.join("x") === DEFAULT_SPATIAL_SHAPE.join("x") ? "" : `-${spatial.join("x")}`;
  const zarrPythonDir = join(workDir, "side-by-side", `zarr-python-t${t}${shapeTag}`);
  const ownDir = shapeTag === "" ? join(workDir, "inputs", `t${tOwn}`) : join(workDir, "side-by-side", `own-t${tOwn}${shapeTag}`);
  log(`inputs: zarr-python (t = ${t}) in ${zarrPythonDir}`);
  const zpOrigin = await makeZarrPythonInputs(python, zarrPythonDir, { t, spatial, timeChunk: DEFAULT_TIME_CHUNK });
  log(`inputs: cubed-ts own (t = ${tOwn}) in ${ownDir}`);
  const own = await generateInputs(ownDir, {
    shape: [tOwn, ...spatial],
    chunks: [DEFAULT_TIME_CHUNK, ...spatial],
    seed: 1,
    compressor: null,
    spec,
    log,
  });
  const warmed = warmPageCache([zarrPythonDir, ownDir]);
  host.loadBeforeRuns = loadavg();
  options.onHeader?.(formatHeader(host, probe));

  const engines = sideBySideEngines({
    python, versions, benchCli: cli, workDir, zarrPythonDir, ownDir, t, tOwn, spatial, workers, allowedMem, totalMem: totalmem(),
  });
  const samples = new Map<string, RunSample[]>(engines.map((e) => [e.id, []]));
  const diffs = new Map<string, number>();
  const references = new Map<InputGroup, { id: string; means: QuadraticMeans }>();
  const order: string[] = [];
  const env = childEnv();
  for (let round = 1; round <= runs; round++) {
    for (const engine of engines) {
      if (engine.unavailable !== undefined) continue;
      options.signal?.throwIfAborted();
      const sample = await runOnce(engine, round, join(reportDir, "runs", `r${round}-${engine.id}`), env, options.signal);
      order.push(`r${round} ${engine.id}`);
      samples.get(engine.id)!.push(sample);
      const means = await readMeans(sample.meansDir);
      const ref = references.get(engine.group);
      if (ref === undefined) {
        references.set(engine.group, { id: engine.id, means });
      } else {
        const d = compareMeans(ref.means, means);
        const worst = Math.max(d.uu, d.vv, d.uv);
        if (!(worst <= tolerance)) {
          throw new Error(
            `${engine.id} (round ${round}) disagrees with ${ref.id}: max abs diff uu ${d.uu}, vv ${d.vv}, uv ${d.uv} > ${tolerance} ` +
              `(means in ${sample.meansDir}, numbers in ${sample.resultFile}).`,
          );
        }
        diffs.set(engine.id, Math.max(diffs.get(engine.id) ?? 0, worst));
      }
      if (!options.keepMeans) await rm(sample.meansDir, { recursive: true, force: true });
      log(
        `r${round}/${runs} ${engine.id}: ${sample.computeSeconds.toFixed(3)} s compute, ${(sample.inputBytes / 1e9 / sample.computeSeconds).toFixed(2)} GB/s, ` +
          `peak ${(sample.peakRss / 1e9).toFixed(2)} GB, ${Math.round(sample.minorFaults / (sample.inputBytes / 1e9))} minor faults/GB`,
      );
    }
  }
  const rows = withDaskRatios(
    engines.map((e) => {
      const ref = references.get(e.group);
      return summariseEngine(e, samples.get(e.id)!, {
        ...(diffs.has(e.id) ? { maxAbsDiff: diffs.get(e.id)! } : {}),
        ...(ref && ref.id !== e.id ? { reference: ref.id } : {}),
      });
    }),
  );
  host.loadAfter = loadavg();
  const result: SideBySideResult = {
    host,
    probe,
    inputs: { "zarr-python": { dir: zarrPythonDir, origin: zpOrigin }, own: { dir: ownDir, origin: own.origin }, warmed },
    rows,
    order,
    runs,
    tolerance,
    reportDir,
  };
  await mkdir(reportDir, { recursive: true });
  await writeFile(join(reportDir, "side-by-side.md"), `${formatSideBySide(result)}\n`);
  await writeFile(join(reportDir, "side-by-side.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** One run of one engine in a fresh child process; throws with its stderr when it fails. */
async function runOnce(engine: EngineSpec, round: number, runDir: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<RunSample> {
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });
  const { command, args } = engine.command(runDir, round);
  const r = await runChild(command, args, { env, ...(signal ? { signal } : {}) });
  await writeFile(join(runDir, "child.log"), `$ ${[command, ...args].join(" ")}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  if (r.code !== 0) throw new Error(describeFailure(`${engine.id} (round ${round}, log in ${join(runDir, "child.log")})`, r));
  const sample = await engine.read(runDir, round);
  if (sample.inputBytes !== engine.inputBytes) {
    throw new Error(`${engine.id} read ${sample.inputBytes} input bytes, expected ${engine.inputBytes} (t = ${engine.t}): wrong inputs?`);
  }
  if (sample.benchVerification && !sample.benchVerification.verified) {
    throw new Error(`${engine.id} (round ${round}) failed the bench's own reference check: max abs diff ${sample.benchVerification.maxAbsDiff}.`);
  }
  return sample;
}
