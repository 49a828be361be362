// End to end on the AWS executors, with nothing mocked: the built CLI runs
// `quadratic-means --t 10 --executor lambda|stepfunctions --aws local`, which starts the local
// stand-ins of @cubed-ts/aws-local in a child process (fauxqs S3, the Lambda Invoke API running the
// real deployed @cubed-ts/exec-lambda worker in child-process containers, and the Step Functions API
// over aws-local-stepfunctions), writes the inputs to S3, computes on them, and verifies the result
// against a reference streamed from the S3 chunks. The test fails if the answer is wrong: the exit
// code, the printed verdict and results.json's verification must all say verified.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "@cubed-ts/aws-local";
import { DEFAULT_TOLERANCE, type QuadraticMeansResult } from "../src/index.js";
import { cleanEnv, cli, ensureBuiltCli, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs("cubed-bench-aws-");

beforeAll(ensureBuiltCli);

describe.each([
  ["lambda", "lambda"],
  ["stepfunctions", "stepfunctions"],
] as const)("pnpm bench quadratic-means --t 10 --executor %s --aws local", (executor, name) => {
  it("computes on the local stand-ins, verifies against the streamed reference, and reports invocations and cost", () => {
    const dir = tempDir();
    const reportDir = join(dir, "report");
    const r = spawnSync("node", [cli, "quadratic-means", "--t", "10", "--executor", executor, "--aws", "local", "--report-dir", reportDir], {
      cwd: dir,
      encoding: "utf8",
      env: cleanEnv({ withoutAws: true }),
      timeout: 110_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/\nverified: /);
    expect(r.stdout).not.toContain("VERIFICATION FAILED");
    expect(r.stdout).toMatch(/wall time \(compute only\)\s+\d+\.\d+ s/);
    expect(r.stdout).toMatch(/throughput\s+\d+\.\d+ GB\/s/);
    expect(r.stdout).toMatch(/Lambda invocations\s+[1-9]/);
    expect(r.stdout).toMatch(/estimated cost \(us-east-1\)\s+US\$\d/);

    const result = JSON.parse(readFileSync(join(reportDir, "results.json"), "utf8")) as QuadraticMeansResult;
    // the answer: every mean within the tolerance of the reference streamed from the S3 chunks
    expect(result.verification).not.toBeNull();
    expect(result.verification!.verified).toBe(true);
    for (const d of Object.values(result.verification!.maxAbsDiff)) expect(d).toBeLessThanOrEqual(DEFAULT_TOLERANCE);
    // the run: the real shape on S3, every task on the Lambda worker
    expect(result.executor).toBe(name);
    expect(result.t).toBe(10);
    expect(result.shape).toEqual([10, 1, 987, 1920]);
    expect(result.inputs.dir).toBe("s3://cubed-bench/work/inputs/t10");
    expect(result.measured.tasks).toBe(result.plan.numTasks);
    expect(result.tasks.every((t) => t.worker.startsWith("lambda:"))).toBe(true);
    expect(result.plan.maxProjectedMem).toBeLessThanOrEqual(result.allowedMem);
    expect(result.measured.maxTaskPeakMem).toBeGreaterThan(0);
    expect(result.measured.maxTaskPeakMem).toBeLessThanOrEqual(result.allowedMem);
    // the AWS report: invocations, Step Functions counts and a priced estimate
    const aws = result.aws!;
    expect(aws.target).toBe("local stand-ins");
    expect(aws.invocations).toBeGreaterThanOrEqual(result.plan.numTasks);
    expect(aws.memoryMB).toBeGreaterThanOrEqual(result.allowedMem / 2 ** 20);
    expect(aws.billedSeconds).toBeGreaterThan(0);
    expect(aws.cost.lambdaCompute).toBeCloseTo(aws.cost.gbSeconds * 0.0000133334, 12);
    expect(aws.cost.total).toBeGreaterThan(aws.cost.lambdaCompute);
    if (executor === "stepfunctions") {
      expect(aws.mapIterations).toBeGreaterThanOrEqual(result.plan.numTasks);
      expect(aws.stateTransitions).toBeGreaterThan(aws.mapIterations!);
      expect(aws.cost.stepFunctions).toBeGreaterThan(0);
    } else {
      expect(aws.mapIterations).toBeNull();
      expect(aws.cost.stepFunctions).toBe(0);
    }
    expect(readFileSync(join(reportDir, "report.html"), "utf8")).toContain("Lambda invocations");
    // the placeholder credentials the stand-ins sign with are never printed or written
    for (const text of [r.stdout, r.stderr, readFileSync(join(reportDir, "results.json"), "utf8"), readFileSync(join(reportDir, "report.html"), "utf8")]) {
      expect(text).not.toContain(LOCAL_CREDENTIALS.accessKeyId);
      expect(text).not.toContain(LOCAL_CREDENTIALS.secretAccessKey);
    }
  });
});
