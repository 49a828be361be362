// `pnpm bench side-by-side` end to end at a tiny shape: the built CLI runs every engine as a
// child (cubed-ts through the bench CLI, Dask and numpy through Debian's /usr/bin/python3 with
// python3-zarr and python3-dask, which .ci/run installs), and the test checks the table has
// every row, every number came from a child's own result file, each engine's means agree with
// an independent reference (zarrita, streamed), Cubed-Python is "not installed" when
// `import cubed` fails, and a disagreement between engines fails the run. Performance is not
// asserted.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type EngineRow,
  type SideBySideResult,
  compareMeans,
  median,
  readMeans,
  streamedReference,
  writeMeans,
} from "../src/index.js";
import { cleanEnv, cli, ensureBuiltCli, useTempDirs } from "./helpers.js";

const python = "/usr/bin/python3";
const tempDir = useTempDirs("cubed-bench-sbs-");
const SMALL = ["--t", "20", "--t-own", "20", "--spatial", "1,30,40", "--probe-size", "4MB", "--probe-repeat", "1"];

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync("node", [cli, "side-by-side", ...args], { encoding: "utf8", env: cleanEnv(), maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cubedImportable = spawnSync(python, ["-c", "import cubed"]).status === 0;

describe("means files", () => {
  it("round-trip float64 and float32 means and measure their differences", async () => {
    const dir = join(tempDir(), "m");
    const uu = new Float64Array([0.25, 1 / 3, 2]);
    await writeMeans(dir, { uu, vv: new Float32Array([1.5, 2.5, 3.5]), uv: new Float64Array([NaN, 0, -1]) });
    const m = await readMeans(dir);
    expect([...m.uu]).toEqual([...uu]);
    expect([...m.vv]).toEqual([1.5, 2.5, 3.5]);
    expect(Number.isNaN(m.uv[0]!)).toBe(true);
    const other = { uu: Float64Array.from(uu), vv: Float64Array.from(m.vv), uv: Float64Array.from(m.uv) };
    other.uu[1]! += 1e-9;
    const d = compareMeans(m, other);
    expect(d.uu).toBeCloseTo(1e-9, 15);
    expect(d.vv).toBe(0);
    expect(d.uv).toBe(0);
    expect(compareMeans(m, { ...other, vv: new Float64Array(2) }).vv).toBe(Infinity);
  });
});

describe("pnpm bench side-by-side", () => {
  beforeAll(ensureBuiltCli);

  it("--help fits 80 columns; bad arguments exit 2 before anything runs", () => {
    const h = run(["--help"]);
    expect(h.code).toBe(0);
    expect(h.out).toContain("Usage: pnpm bench side-by-side");
    for (const line of h.out.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    for (const [args, message] of [
      [["--runs", "0"], /--runs must be an integer ≥ 1/],
      [["--t", "ten"], /--t must be an integer ≥ 1/],
      [["--spatial", "1,x"], /--spatial must be positive integers/],
      [["--allowed-mem", "lots"], /Invalid --allowed-mem "lots"/],
      [["--bogus"], /Unknown option '--bogus'/],
    ] as const) {
      const r = run([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
    }
  });

  it("prints the probe, then a table with every engine, numbers read from each child, means agreeing", async () => {
    const work = tempDir();
    const report = join(work, "report");
    const runs = 2;
    const r = run([...SMALL, "--runs", String(runs), "--work-dir", work, "--report-dir", report, "--keep-means"]);
    expect(r.code, r.err).toBe(0);

    // the host probe and the load average come before the table
    const probeAt = r.out.indexOf("| probe on this host |");
    const tableAt = r.out.indexOf("| engine | executor | inputs |");
    expect(probeAt).toBeGreaterThan(-1);
    expect(tableAt).toBeGreaterThan(probeAt);
    expect(r.out.indexOf("load average")).toBeLessThan(tableAt);
    expect(r.out).toMatch(/^host: \d+ × /m);
    expect(r.out).toMatch(/cubed-ts [\w.-]*[0-9a-f]{7}(-dirty)? on Node v\d+/);

    const md = readFileSync(join(report, "side-by-side.md"), "utf8");
    const res = JSON.parse(readFileSync(join(report, "side-by-side.json"), "utf8")) as SideBySideResult;
    expect(md).toContain("| probe on this host |");
    const ids = res.rows.map((x) => x.id);
    expect(ids).toEqual([
      "cubed-ts-threads-zp", "cubed-ts-threads-zp-warm", "dask-threads-zp", "cubed-python-threads-zp", "numpy-streamed-zp", "numpy-in-memory-zp",
      "cubed-ts-threads-own", "cubed-ts-threads-own-warm", "cubed-ts-inprocess-own", "cubed-ts-inprocess-own-warm",
    ]);
    const row = (id: string): EngineRow => res.rows.find((x) => x.id === id)!;
    const tableLines = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| engine") && !l.startsWith("| probe"));
    const sbsLines = tableLines.filter((l) => l.includes(", t = 20 ("));
    expect(sbsLines).toHaveLength(10);

    // Cubed-Python: "not installed" exactly when the interpreter cannot import it
    const cubedRow = row("cubed-python-threads-zp");
    if (!cubedImportable) {
      expect(cubedRow.unavailable).toBe("not installed (no PyPI here)");
      expect(cubedRow.samples).toHaveLength(0);
      expect(sbsLines[3]).toMatch(/^\| Cubed \| threads \(2\) \| .* \| not installed \(no PyPI here\) \| – \| – \| – \| – \|$/);
    } else {
      expect(cubedRow.samples).toHaveLength(runs);
    }

    const measured = res.rows.filter((x) => x.unavailable === undefined);
    // alternation: round by round, every available engine in table order
    expect(res.order).toEqual([1, 2].flatMap((k) => measured.map((x) => `r${k} ${x.id}`)));

    const zpDir = join(work, "side-by-side", "zarr-python-t20-1x30x40");
    const ownDir = join(work, "side-by-side", "own-t20-1x30x40");
    const refs = { "zarr-python": await streamedReference(zpDir), own: await streamedReference(ownDir) };
    for (const [i, x] of res.rows.entries()) {
      if (x.unavailable !== undefined) continue;
      expect(x.samples, x.id).toHaveLength(runs);
      for (const s of x.samples) {
        // every number is the one the child wrote into its own result file
        const file = JSON.parse(readFileSync(s.resultFile, "utf8")) as Record<string, unknown>;
        if (x.id.startsWith("cubed-ts")) {
          const measuredJson = file.measured as Record<string, number>;
          expect(s.resultFile).toMatch(/report[\\/]results\.json$/);
          // a warm row is the second compute on one executor: its numbers are that compute's
          const second = x.id.endsWith("-warm") ? (file.repeats as Record<string, number>[])[1]! : undefined;
          expect(s.computeSeconds).toBe(second ? second.wallSeconds : file.wallSeconds);
          expect(s.peakRss).toBe(second ? second.peakRss : measuredJson.peakRss);
          expect(s.minorFaults).toBe(second ? second.minorFaults : measuredJson.minorFaults);
        } else {
          expect(s.computeSeconds).toBe(file.computeSeconds);
          expect(s.peakRss).toBe(file.peakRss);
          expect(s.minorFaults).toBe(file.minorFaults);
          expect(file.pid).toBeGreaterThan(0);
        }
        expect(s.inputBytes).toBe(2 * 20 * 30 * 40 * 8);
        expect(s.computeSeconds).toBeGreaterThan(0);
        expect(s.peakRss).toBeGreaterThan(10e6);
        expect(s.minorFaults).toBeGreaterThanOrEqual(x.id.endsWith("-warm") ? 0 : 1);
        // each run's means against a reference streamed with zarrita (none of the engines)
        const group = x.id.includes("-own") ? "own" : "zarr-python";
        const d = compareMeans(refs[group], await readMeans(s.meansDir));
        expect(Math.max(d.uu, d.vv, d.uv), `${x.id} r${s.round}`).toBeLessThanOrEqual(1e-12);
      }
      // a fresh process per run
      if (!x.id.startsWith("cubed-ts")) {
        const pids = x.samples.map((s) => (JSON.parse(readFileSync(s.resultFile, "utf8")) as { pid: number }).pid);
        expect(new Set(pids).size).toBe(runs);
      }
      // the row's numbers are the samples' median and range, and the table prints them
      const secs = x.samples.map((s) => s.computeSeconds);
      expect(x.computeSeconds!.median).toBe(median(secs));
      expect(x.computeSeconds!.min).toBe(Math.min(...secs));
      expect(x.gbPerSecond).toBeCloseTo(x.inputBytes / 1e9 / median(secs), 12);
      expect(sbsLines[i]).toContain(`| ${x.gbPerSecond!.toFixed(2)} |`);
      expect(sbsLines[i]).toContain(`${runs} runs)`);
    }
    // the engines' cross-check recorded its reference and differences
    for (const id of ["dask-threads-zp", "numpy-streamed-zp", "numpy-in-memory-zp"]) {
      expect(row(id).reference).toBe("cubed-ts-threads-zp");
      expect(row(id).maxAbsDiff).toBeLessThanOrEqual(1e-12);
    }
    expect(row("cubed-ts-inprocess-own").reference).toBe("cubed-ts-threads-own");
    expect(row("dask-threads-zp").ratioVsDask).toBe(1);
    expect(row("cubed-ts-threads-zp").ratioVsDask).toBeCloseTo(row("cubed-ts-threads-zp").gbPerSecond! / row("dask-threads-zp").gbPerSecond!, 12);
    // the own-input cubed-ts runs passed the bench's own reference check in round 1
    expect(row("cubed-ts-threads-own").samples[0]!.benchVerification?.verified).toBe(true);
    expect(existsSync(join(res.reportDir, "runs", "r1-dask-threads-zp", "child.log"))).toBe(true);
  });

  it("fails loudly when an engine's means disagree with cubed-ts's", () => {
    const work = tempDir();
    // an interpreter that runs the real one, then nudges one value of numpy-streamed's saved means
    const wrapper = join(work, "python-perturbing");
    writeFileSync(
      wrapper,
      [
        "#!/bin/sh",
        `${python} "$@" || exit $?`,
        'case "$1" in *numpy_streamed.py) ;; *) exit 0 ;; esac',
        'while [ $# -gt 0 ]; do if [ "$1" = --save-means ]; then dir="$2"; fi; shift; done',
        `exec ${python} -c "import numpy as np, sys; p = sys.argv[1] + '/uv.f64'; a = np.fromfile(p, '<f8'); a[0] += 1e-9; a.tofile(p)" "$dir"`,
        "",
      ].join("\n"),
    );
    chmodSync(wrapper, 0o755);
    const r = run([...SMALL, "--runs", "1", "--work-dir", work, "--python", wrapper]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/numpy-streamed-zp \(round 1\) disagrees with cubed-ts-threads-zp: max abs diff uu 0, vv 0, uv 1\.0\d*e-9 > 1e-12/);
    // the engines before it agreed, and no table was printed
    expect(r.err).toMatch(/r1\/1 dask-threads-zp: /);
    expect(r.out).not.toContain("| engine | executor |");
  });

  it("reports a child that fails with its exit code and output", () => {
    const work = tempDir();
    // an interpreter that fails the Dask driver the way a broken install would
    const wrapper = join(work, "python-failing-dask");
    writeFileSync(wrapper, ["#!/bin/sh", 'case "$1" in *dask_means.py) echo "ImportError: dask is broken here" >&2; exit 3 ;; esac', `exec ${python} "$@"`, ""].join("\n"));
    chmodSync(wrapper, 0o755);
    const r = run([...SMALL, "--runs", "1", "--work-dir", work, "--python", wrapper]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/dask-threads-zp \(round 1, log in .*child\.log\) exited with code 3:\nImportError: dask is broken here/);
  });

  it("refuses a bad allowed memory before writing any input", () => {
    const work = tempDir();
    const r = run([...SMALL, "--runs", "1", "--work-dir", work, "--allowed-mem", "1kB"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/allowedMem/);
    expect(existsSync(join(work, "side-by-side"))).toBe(false);
  });
});
