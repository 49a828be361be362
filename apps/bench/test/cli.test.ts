import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type QuadraticMeansResult, USAGE, runCli } from "../src/index.js";
import { cleanEnv, cli, ensureBuiltCli, pkgDir, useTempDirs } from "./helpers.js";

const repoRoot = join(pkgDir, "..", "..");

const tempDir = useTempDirs("cubed-bench-cli-");

/** Runs runCli in-process and captures what it prints. */
async function cliInProcess(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), cwd: tmpdir(), env: {} });
  return { code, out, err };
}

describe("runCli arguments", () => {
  it("--help prints usage and exits 0", async () => {
    const r = await cliInProcess(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: pnpm bench quadratic-means");
    expect((await cliInProcess(["quadratic-means", "-h"])).out).toBe(`${USAGE}\n`);
  });

  it("--help fits 80 columns and documents every option the parser takes", async () => {
    const r = await cliInProcess(["--help"]);
    for (const line of r.out.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    for (const opt of ["--t", "--work-dir", "--allowed-mem", "--no-progress", "--no-verify", "--concurrency", "--json", "--repeat"]) expect(r.out).toContain(`  ${opt} `);
    expect(r.out).toMatch(/Ctrl-C/);
    expect(r.out).toMatch(/130 interrupted/);
  });

  it.each([
    [["quadratic-means", "--bogus"], /Unknown option '--bogus'/],
    [["quadratic-means", "--t", "0"], /--t must be an integer ≥ 1/],
    [["quadratic-means", "--t", "ten"], /--t must be an integer/],
    [["quadratic-means", "--t", "1.5"], /--t must be an integer/],
    [["quadratic-means", "--allowed-mem", "lots"], /Invalid --allowed-mem "lots"/],
    [["quadratic-means", "--executor", "gpu"], /--executor must be one of inprocess, threads, lambda, stepfunctions/],
    [["quadratic-means", "--executor", "lambda"], /--executor lambda needs --work-dir on S3/],
    [["quadratic-means", "--executor", "lambda", "--work-dir", "s3://b/w", "--input-dir", "/data"], /needs --input-dir on S3/],
    [["quadratic-means", "--executor", "lambda", "--aws", "cloud"], /--aws must be local/],
    [["quadratic-means", "--aws", "local"], /--aws needs --executor lambda or stepfunctions/],
    [["quadratic-means", "--executor", "threads", "--function", "f"], /--function needs --executor lambda or stepfunctions/],
    [["quadratic-means", "--executor", "stepfunctions", "--work-dir", "s3://b/w"], /needs --sfn-role ARN or --state-machine ARN/],
    [["quadratic-means", "--executor", "lambda", "--aws", "local", "--deploy-role", "arn:aws:iam::1:role/r"], /--aws local deploys its own worker/],
    [["quadratic-means", "--executor", "lambda", "--aws", "local", "--input-dir", "s3://b/in"], /cannot use --input-dir/],
    [["quadratic-means", "--executor", "stepfunctions", "--aws", "local", "--sweep", "weak"], /cannot be used with --executor stepfunctions/],
    [["quadratic-means", "--api", "xarray"], /--api must be one of labelled, core/],
    [["quadratic-means", "--sweep", "strong"], /--sweep must be weak/],
    [["quadratic-means", "--sweep", "weak", "--input-dir", "/tmp"], /cannot be used with --input-dir/],
    [["quadratic-means", "--workers", "1,0"], /--workers must be a comma-separated list/],
    [["quadratic-means", "--simulate", "containers=1000"], /--simulate needs both containers= and t=/],
    [["quadratic-means", "--simulate", "workers=5,t=9"], /--simulate must look like containers=1000,t=50000/],
    [["quadratic-means", "--concurrency", "0"], /--concurrency must be an integer ≥ 1/],
    [["quadratic-means", "--input-compressor", "lz4"], /--input-compressor must be zstd, gzip or none/],
    [["quadratic-means", "--repeat", "0"], /--repeat must be an integer ≥ 1/],
    [["quadratic-means", "--sweep", "weak", "--repeat", "2"], /--repeat cannot be used with --sweep/],
    [["quadratic-means", "--t"], /argument missing/],
    [[], /Missing the benchmark name/],
    [["rechunk"], /Unknown benchmark "rechunk"/],
  ])("rejects %j with exit code 2", async (argv, message) => {
    const r = await cliInProcess(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain("--help");
    expect(r.out).toBe("");
  });
});

describe("the built CLI", () => {
  beforeAll(ensureBuiltCli);

  it("runs quadratic-means --t 1 at the real shape, verifies, and writes JSON", () => {
    const dir = tempDir();
    const json = join(dir, "out", "result.json");
    const reportDir = join(dir, "report");
    const r = spawnSync("node", [cli, "quadratic-means", "--t", "1", "--work-dir", dir, "--allowed-mem", "2GB", "--json", json, "--report-dir", "report"], {
      cwd: dir,
      encoding: "utf8",
      env: cleanEnv(),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("t = 1");
    expect(r.stdout).toMatch(/wall time \(compute only\)\s+\d+\.\d+ s/);
    expect(r.stdout).toMatch(/throughput\s+\d+\.\d+ GB\/s/);
    expect(r.stdout).toMatch(/max projected memory \(task\)\s+\d/);
    expect(r.stdout).toMatch(/\nverified: /);
    // stderr is a pipe, not a TTY: the progress bar prints nothing while it runs and one summary line at the end
    expect(r.stderr).not.toContain("\x1b");
    const summary = r.stderr.split("\n").filter((l) => /^compute \S+ /.test(l));
    expect(summary).toHaveLength(1);
    expect(existsSync(join(dir, "inputs", "t1", "u.zarr", "zarr.json"))).toBe(true);

    const result = JSON.parse(readFileSync(json, "utf8")) as QuadraticMeansResult;
    expect(result.t).toBe(1);
    expect(result.api).toBe("labelled");
    expect(r.stdout).toContain(`report: ${join(reportDir, "report.html")}`);
    expect(JSON.parse(readFileSync(join(reportDir, "results.json"), "utf8"))).toEqual(result);
    expect(readFileSync(join(reportDir, "report.html"), "utf8")).toContain('<svg id="timeline"');
    expect(result.shape).toEqual([1, 1, 987, 1920]);
    expect(result.inputBytes).toBe(1 * 2 * 987 * 1920 * 8);
    expect(result.verification?.verified).toBe(true);
    expect(result.measured.tasks).toBe(result.plan.numTasks);
    expect(summary[0]).toMatch(new RegExp(`^compute \\S+ done: ${result.plan.numOps} ops?, ${result.plan.numTasks}/${result.plan.numTasks} tasks in \\d+\\.\\d s$`));
    expect(result.plan.maxProjectedMem).toBeLessThanOrEqual(2e9);
    expect(result.measured.peakRss).toBeGreaterThan(result.inputBytes / 2);
  });

  it("--no-progress leaves out the summary line", () => {
    const dir = tempDir();
    const r = spawnSync("node", [cli, "quadratic-means", "--t", "1", "--work-dir", dir, "--no-progress", "--no-verify"], {
      cwd: dir,
      encoding: "utf8",
      env: cleanEnv(),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("t = 1");
    expect(r.stderr).not.toMatch(/^compute \S+ /m);
    // and a finished run leaves no view directory behind
    expect(readdirSync(dir).sort()).toEqual(["inputs", "reports"]);
  });

  it("exits 2 on a bad flag", () => {
    const r = spawnSync("node", [cli, "quadratic-means", "--nope"], { encoding: "utf8", env: cleanEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--nope'/);
  });

  it("takes its arguments through `pnpm bench` at the repository root, with or without --", () => {
    for (const args of [["bench", "quadratic-means", "--help"], ["bench", "--", "quadratic-means", "--help"]]) {
      const r = spawnSync("pnpm", args, { cwd: repoRoot, encoding: "utf8", env: cleanEnv() });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("Usage: pnpm bench quadratic-means");
    }
    const bad = spawnSync("pnpm", ["bench", "quadratic-means", "--t", "-3"], { cwd: repoRoot, encoding: "utf8", env: cleanEnv() });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--t|argument/);
  });
});
