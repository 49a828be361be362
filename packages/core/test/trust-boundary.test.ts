/**
 * The trust boundary: a plan is data that anyone able to write it controls, so
 * every worker entry point (in-process `runTask`, a worker thread, the task
 * process CLI) admits it before any task. Each tampered plan must be refused
 * with a typed error, nothing may be written, and no injected code may run.
 * (The Lambda handler, which Step Functions also invokes, is fed the same cases
 * in exec-lambda's suite.)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Plan, Spec, add, admitPlan, fromArray, fromZarr, isCubedError, mean, multiply, rechunk, runTask, toZarr,
} from "../src/index.js";
import { type TamperedCase, tamperedPlans } from "./helpers/tampered-plans.js";

const workerScript = new URL("../dist/runtime/task-worker.js", import.meta.url);
const root = mkdtempSync(join(tmpdir(), "cubed-trust-"));
const work = join(root, "work");
const outside = join(root, "outside");
const canary = join(outside, "CANARY");
const evilModuleFile = join(outside, "evil.mjs");
let base: Plan;
let cases: TamperedCase[];

/** Every file under `dir` with its size and mtime, to prove nothing was written. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${p}:${statSync(p).size}:${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

function expectNoEffects(before: string[]): void {
  expect(existsSync(canary)).toBe(false);
  expect((globalThis as { __cubedPwned?: number }).__cubedPwned).toBeUndefined();
  expect(snapshot(root)).toEqual(before);
}

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  writeFileSync(evilModuleFile, `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(canary)}, "pwned");\n`);
  const spec = new Spec({ workDir: work, allowedMem: "200MB" });
  const src = fromArray(Array.from({ length: 6 }, (_, i) => Array.from({ length: 8 }, (_, j) => i * 8 + j)), { chunks: [2, 4], spec });
  await toZarr(rechunk(src, [2, 4]), join(root, "input.zarr"));
  const u = await fromZarr(join(root, "input.zarr"), { spec });
  const y = add(multiply(u, 2), 1);
  const m = mean(multiply(rechunk(y, [3, 8]), rechunk(y, [3, 8])), { axis: 0 });
  base = JSON.parse(JSON.stringify(m.plan().plan)) as Plan;
  cases = tamperedPlans(base, { canary, outside, evilModuleFile });
});

afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 5 }));

describe("tampered plans", () => {
  it("cover at least 40 cases, each with a code string, foreign module, foreign store, bad coordinates or a malformed field", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    // the base plan has what the cases tamper with
    expect(Object.values(base.ops).some((o) => o.kernel.kind === "expr")).toBe(true);
    expect(Object.values(base.ops).some((o) => o.kernel.kind === "named" && o.kernel.name === "reduce")).toBe(true);
    expect(Object.values(base.arrays).some((a) => a.source.kind === "zarr")).toBe(true);
  });

  it("the untampered plan runs through every entry point (the harness can tell success from refusal)", async () => {
    const opId = base.stages[0]![0]!;
    const coords = base.ops[opId]!.stats.taskGrid.map(() => 0);
    const plan = await admitPlan(JSON.stringify(base), {});
    expect((await runTask(plan, opId, coords)).bytesWritten).toBeGreaterThan(0);
    expect(await viaThread({ name: "base", planJson: JSON.stringify(base), opId, coords, tags: [] })).toEqual({ ok: true });
    expect(await viaCli({ name: "base", planJson: JSON.stringify(base), opId, coords, tags: [] })).toEqual({ ok: true });
  });

  it("in-process: admitPlan + runTask refuse every case with a typed error, and nothing is written", async () => {
    const before = snapshot(root);
    for (const c of cases) {
      let err: unknown;
      try {
        const plan = await admitPlan(c.planJson, {});
        await runTask(plan, c.opId as string, c.coords as number[]);
      } catch (e) {
        err = e;
      }
      expect(isCubedError(err), `${c.name}: ${String(err)}`).toBe(true);
      expect(c.tags, `${c.name}: ${String(err)}`).toContain((err as { _tag: string })._tag);
      expectNoEffects(before);
    }
  });

  it("in-process: runTask on a tampered plan object it was handed refuses it too", async () => {
    const before = snapshot(root);
    for (const c of cases) {
      const value = JSON.parse(c.planJson) as Plan;
      const err = await runTask(value, c.opId as string, c.coords as number[]).then(() => undefined, (e: unknown) => e);
      expect(isCubedError(err), `${c.name}: ${String(err)}`).toBe(true);
      expectNoEffects(before);
    }
  });

  it("worker thread: every case is refused with its typed error before any write", async () => {
    const before = snapshot(root);
    for (const c of cases) {
      const r = await viaThread(c);
      expect(r.ok, c.name).toBe(false);
      expect(c.tags, `${c.name}: ${r.message}`).toContain(r.tag);
      expectNoEffects(before);
    }
  });

  it("task process CLI: every case exits with status 2 and its typed error before any write", async () => {
    const before = snapshot(root);
    // the CLI's coordinates are text ("0,1"), so the case that sends them as JSON strings does not apply
    for (const c of cases.filter((x) => x.name !== "coordinates as strings")) {
      const r = await viaCli(c);
      expect(r.ok, c.name).toBe(false);
      expect(c.tags, `${c.name}: ${r.message}`).toContain(r.tag);
      expectNoEffects(before);
    }
  }, 300_000);

  it("a symbolic link in the work dir cannot carry an intermediate outside it", async () => {
    const link = join(work, "escape");
    symlinkSync(outside, link);
    try {
      const p = JSON.parse(JSON.stringify(base)) as Plan;
      p.intermediateDir = `file://${link}`;
      for (const a of Object.values(p.arrays)) if (a.source.kind === "stored") a.source.url = `file://${link}`;
      const err = await admitPlan(p).then(() => undefined, (e: unknown) => e);
      expect(isCubedError(err, "StoreAccessError"), String(err)).toBe(true);
    } finally {
      rmSync(link);
    }
  });

  it("allowed prefixes: a plan naming a store outside them is refused; inside them it is admitted", async () => {
    const ok = await admitPlan(JSON.stringify(base), { allowedPrefixes: [root] });
    expect(ok.computeId).toBe(base.computeId);
    const err = await admitPlan(JSON.stringify(base), { allowedPrefixes: [work] }).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(err, "StoreAccessError"), String(err)).toBe(true);
    expect((err as Error).message).toContain("input.zarr");
  });

  it("a kernel module on the worker's allow-list is imported; the same module off the list is refused", async () => {
    const mod = join(outside, "ok-kernels.mjs");
    const flag = join(outside, "ok-imported");
    writeFileSync(mod, `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(flag)}, "1");\n`);
    const p = JSON.parse(JSON.stringify(base)) as Plan;
    p.spec.kernelModules = [`file://${mod}`];
    const refused = await admitPlan(p, {}).then(() => undefined, (e: unknown) => e);
    expect(isCubedError(refused, "UntrustedModuleError")).toBe(true);
    expect(existsSync(flag)).toBe(false);
    await admitPlan(p, { kernelModules: [mod] });
    expect(existsSync(flag)).toBe(true);
    rmSync(flag);
    rmSync(mod);
  });
});

type Outcome = { ok: boolean; tag?: string | undefined; message?: string };

let thread: Worker | undefined;
let nextId = 0;
function viaThread(c: TamperedCase): Promise<Outcome> {
  thread ??= new Worker(workerScript);
  const w = thread;
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (msg: { id: number; result?: unknown; error?: { message: string; tag?: string } }): void => {
      if (msg.id !== id) return;
      w.off("message", onMessage);
      resolve(msg.error ? { ok: false, tag: msg.error.tag, message: msg.error.message } : { ok: true });
    };
    w.on("message", onMessage);
    w.postMessage({ id, planKey: `case-${id}`, plan: c.planJson, policy: { kernelModules: [] }, opId: c.opId, coords: c.coords });
  });
}
afterAll(async () => {
  await thread?.terminate();
});

function viaCli(c: TamperedCase): Promise<Outcome> {
  const file = join(tmpdir(), `cubed-trust-plan-${process.pid}-${nextId++}.json`);
  writeFileSync(file, c.planJson);
  const coords = Array.isArray(c.coords) ? c.coords.map(String).join(",") : "";
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [workerScript.pathname, "--plan", file, "--op", String(c.opId), "--coords", coords], {
      env: { ...process.env, CUBED_KERNEL_MODULES: "" },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      rmSync(file, { force: true });
      if (code === 0) return resolve({ ok: true });
      const m = /^(\w+): /.exec(err);
      resolve({ ok: false, tag: code === 2 ? m?.[1] : `exit ${code}`, message: err.slice(0, 300) });
    });
  });
}
