/**
 * The plan-trust suite on the Lambda worker (which Step Functions invokes too):
 * every tampered plan of core's suite, stored content-addressed where the
 * executor would store it, is refused by the deployed handler with a typed
 * error before any write, and no injected code runs in the worker.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type Plan, Spec, add, fromArray, fromZarr, mean, multiply, openStore, rechunk, toZarr } from "@cubed-ts/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TamperedCase, tamperedPlans } from "../../core/test/helpers/tampered-plans.js";
import { type Stack, startStack } from "./helpers/stack.js";

const FN = "cubed-trust";
const root = mkdtempSync(join(tmpdir(), "cubed-lambda-trust-"));
const canary = join(root, "CANARY");
let stack: Stack;
let base: Plan;
let cases: TamperedCase[];

async function keysUnder(url: string): Promise<string[]> {
  return (await openStore(url).list("/")).sort();
}

beforeAll(async () => {
  stack = await startStack({ maxConcurrency: 4 });
  await stack.deploy(FN, { kernels: [] });
  mkdirSync(join(root, "outside"), { recursive: true });
  writeFileSync(join(root, "evil.mjs"), `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(canary)}, "pwned");\n`);
  const spec = new Spec({ workDir: "s3://work/trust", allowedMem: "200MB" });
  const src = fromArray(Array.from({ length: 6 }, (_, i) => Array.from({ length: 8 }, (_, j) => i * 8 + j)), { chunks: [2, 4], spec });
  await toZarr(rechunk(src, [2, 4]), "s3://work/trust-input/input.zarr");
  const u = await fromZarr("s3://work/trust-input/input.zarr", { spec });
  const y = add(multiply(u, 2), 1);
  const m = mean(multiply(rechunk(y, [3, 8]), rechunk(y, [3, 8])), { axis: 0 });
  base = JSON.parse(JSON.stringify(m.plan().plan)) as Plan;
  cases = tamperedPlans(base, { canary, outside: join(root, "outside"), evilModuleFile: join(root, "evil.mjs") });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(root, { recursive: true, force: true, maxRetries: 5 });
});

/** Stores the plan text where the executor would (content-addressed in the base plan's intermediate dir) and invokes the worker. */
async function invoke(planJson: string, opId: string, coords: unknown[], id: string): Promise<{ error?: string; errorType?: string; message?: string }> {
  const sha = createHash("sha256").update(planJson).digest("hex");
  const dir = `${base.intermediateDir}/_lambda`;
  await openStore(dir).set(`/plan-${sha}.json`, new TextEncoder().encode(planJson));
  const client = new LambdaClient({ endpoint: stack.lambda.endpoint, region: "us-east-1", maxAttempts: 1 });
  const payload = { v: 1, planUrl: `${dir}/plan-${sha}.json`, opId, tasks: [coords], invocationId: id };
  const res = await client.send(new InvokeCommand({ FunctionName: FN, Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
  client.destroy();
  const body = res.Payload ? (JSON.parse(new TextDecoder().decode(res.Payload)) as { errorType?: string; errorMessage?: string }) : {};
  return { error: res.FunctionError, errorType: body.errorType, message: body.errorMessage };
}

describe("the Lambda worker admits plans", () => {
  it("runs the untampered plan (the harness tells success from refusal)", async () => {
    const opId = base.stages[0]![0]!;
    const r = await invoke(JSON.stringify(base), opId, base.ops[opId]!.stats.taskGrid.map(() => 0), "base");
    expect(r.error, r.message).toBeUndefined();
  }, 60_000);

  it("refuses every tampered plan with a typed error, writes nothing and runs no injected code", async () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const before = { work: await keysUnder("s3://work"), other: await keysUnder("s3://other") };
    const plansDir = `${base.intermediateDir.slice("s3://work".length)}/_lambda/`;
    let n = 0;
    for (const c of cases) {
      const r = await invoke(c.planJson, String(c.opId), c.coords, `case-${n++}`);
      expect(r.error, c.name).toBe("Unhandled");
      // coordinates that are not non-negative integers are refused by the payload check, before the plan is read
      expect([...c.tags, "PayloadRejectedError"], `${c.name}: ${r.message}`).toContain(r.errorType);
      expect(existsSync(canary), c.name).toBe(false);
    }
    // nothing but the uploaded plans themselves was written, in either bucket
    const after = (await keysUnder("s3://work")).filter((k) => !k.startsWith(plansDir));
    expect(after).toEqual(before.work.filter((k) => !k.startsWith(plansDir)));
    expect(await keysUnder("s3://other")).toEqual(before.other);
  }, 600_000);
});
