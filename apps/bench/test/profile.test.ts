import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatReport, runCli, runQuadraticMeans } from "../src/index.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "cubed-bench-profile-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const FIELDS = ["tasks", "bytesRead", "allocBytes", "minorFaults", "majorFaults", "readMs", "computeMs", "writeMs"] as const;

describe("--profile", () => {
  it("sums every task's profile per op: fields non-negative, per-op sums add up to the total, bytes read match the tasks' own count", async () => {
    const workDir = tempDir();
    // 1.9 MB chunks: above the pool's 1 MiB floor, so reads and outputs use pooled buffers
    const r = await runQuadraticMeans({ t: 8, workDir, allowedMem: "500MB", spatialShape: [1, 120, 200], timeChunk: 10, profile: true, concurrency: 1 });
    expect(r.verification?.verified).toBe(true);
    const p = r.profile!;
    expect(p.ops.length).toBeGreaterThan(0);
    expect(p.total.tasks).toBe(r.measured.tasks);
    expect(p.total.bytesRead).toBe(r.measured.bytesRead);
    expect(new Set(p.ops.map((o) => o.opId))).toEqual(new Set(r.tasks.map((t) => t.opId)));
    for (const f of FIELDS) {
      expect(p.total[f]).toBeGreaterThanOrEqual(0);
      expect(p.ops.reduce((a, o) => a + o[f], 0)).toBeCloseTo(p.total[f], 6);
    }
    // the first read of a chunk into a fresh buffer faults its pages in and counts as allocated
    expect(p.total.minorFaults).toBeGreaterThan(0);
    expect(p.total.allocBytes).toBeGreaterThan(0);
    expect(p.minorFaultsPerGB).toBeCloseTo(p.total.minorFaults / (r.inputBytes / 1e9), 6);
    const text = formatReport(r);
    expect(text).toMatch(/minor faults per GB of input: \d+/);
    for (const o of p.ops) expect(text).toContain(o.opId);
  });

  it("is absent without the option, and the CLI flag puts it in the JSON", async () => {
    const workDir = tempDir();
    const r = await runQuadraticMeans({ t: 2, workDir, allowedMem: "500MB", spatialShape: [1, 6, 8], timeChunk: 2 });
    expect(r.profile).toBeUndefined();
    const json = join(workDir, "r.json");
    let out = "";
    const code = await runCli(
      ["quadratic-means", "--t", "2", "--work-dir", workDir, "--allowed-mem", "500MB", "--profile", "--no-progress", "--json", json, "--executor", "inprocess"],
      { out: (s) => void (out += `${s}\n`), err: () => {}, cwd: workDir, env: {} },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/minor faults per GB of input/);
    const parsed = JSON.parse(readFileSync(json, "utf8")) as { profile?: { total: { tasks: number } } };
    expect(parsed.profile?.total.tasks).toBeGreaterThan(0);
  });
});
