// The bench on the HTTP workers (@cubed-ts/exec-http): quadratic means at t = 10 on a worker started
// for the run under the real functions-framework and workerd runtimes (from npm, on 127.0.0.1) with
// a local S3, verified against the reference streamed from the S3 chunks; the command line's checks.
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { runQuadraticMeans } from "../src/index.js";
import { cleanEnv, cli, ensureBuiltCli } from "./helpers.js";

beforeAll(ensureBuiltCli);

describe.each(["functions-framework", "workerd"] as const)("quadratic means on --http-worker %s", (worker) => {
  it("computes t = 10 on the worker with chunks that fit allowedMem 100MB, verified", async () => {
    const r = await runQuadraticMeans({
      t: 10, executor: "http", http: { worker }, api: "core", workDir: "s3://cubed-bench/work",
      spatialShape: [1, 60, 80], timeChunk: 2, allowedMem: "100MB", reservedMem: "20MB", concurrency: 2,
    });
    expect(r.verification?.verified).toBe(true);
    expect(r.executor).toBe("http");
    expect(r.tasks.every((t) => t.worker.startsWith("http:"))).toBe(true);
    expect(r.measured.tasks).toBe(r.plan.numTasks);
    expect(r.plan.maxProjectedMem).toBeLessThanOrEqual(100_000_000);
    expect(r.http?.target).toBe(worker);
    expect(r.http?.requests).toBeGreaterThanOrEqual(r.plan.numTasks);
  }, 120_000);
});

describe("command line", () => {
  it.each([
    [["--executor", "http"], /--executor http needs either --endpoint URL or --http-worker NAME/],
    [["--executor", "http", "--http-worker", "lambda"], /--http-worker must be one of functions-framework, workerd/],
    [["--endpoint", "http://127.0.0.1:9/"], /--endpoint needs --executor http/],
    [["--executor", "http", "--endpoint", "ftp://x"], /--endpoint must be an http\(s\) URL/],
    [["--executor", "http", "--http-worker", "workerd", "--simulate", "containers=10,t=20"], /--sweep and --simulate measure local storage/],
    [["--simulate", "containers=10,t=20,platform=azure"], /platform= must be one of aws-lambda, cloud-run-functions, cloudflare-workers/],
  ])("%j is refused with exit code 2", (args, message) => {
    const r = spawnSync("node", [cli, "quadratic-means", ...args], { encoding: "utf8", env: cleanEnv(), timeout: 30_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
