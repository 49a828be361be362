// cubed-ts as a newcomer gets it: every publishable package is packed with
// `pnpm pack`, the tarballs are installed with npm into a fresh project outside
// the workspace (under the OS temp dir), a strict-TypeScript consumer is
// compiled against them and run, and its answer is checked against xarray's.
// Needs the packages built (`pnpm test` builds first) and Debian's python3 with
// xarray and zarr (as the labelled interop tests).

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGES, REPO_ROOT, runPython } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

let tmp: string;
let app: string;
let data: string;

/** Runs a command, failing with its output when it exits non-zero (unless `allowFailure`). */
function run(cmd: string, args: string[], cwd: string, allowFailure = false): SpawnSyncReturns<string> {
  // without NODE_PATH: pnpm sets it to the workspace's hoisted modules, where require.resolve
  // would find packages a newcomer's project does not have (exec-http's optional peers)
  const { NODE_PATH: _workspace, ...env } = process.env;
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...env, FORCE_COLOR: "0" } });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")} could not start: ${r.error.message}`);
  if (r.status !== 0 && !allowFailure) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "cubed-consumer-"));
  const tarballs = join(tmp, "tarballs");
  mkdirSync(tarballs);
  for (const p of PACKAGES) {
    const dir = join(REPO_ROOT, "packages", p);
    if (!existsSync(join(dir, "dist", "index.js"))) throw new Error(`packages/${p}/dist is missing: run \`pnpm build\` first.`);
    run("pnpm", ["pack", "--pack-destination", tarballs], dir);
  }
  app = join(tmp, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "newcomer", private: true, type: "module" }, null, 2));
  const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
  expect(tgz).toHaveLength(PACKAGES.length);
  // esbuild (an optional peer of exec-lambda) is deliberately not installed: see the last test
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...tgz, "@types/node@20.19.43"], app);
  for (const f of readdirSync(join(here, "..", "consumer"))) copyFileSync(join(here, "..", "consumer", f), join(app, f));
  data = join(tmp, "data");
  mkdirSync(data);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed packages installed with npm in a fresh project", () => {
  it("install one copy of @cubed-ts/core (a peer dependency of the others), with licence, metadata, README and typed exports", () => {
    const cores: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        const p = join(dir, e.name);
        if (relative(app, p).endsWith(join("node_modules", "@cubed-ts", "core"))) cores.push(relative(app, p));
        walk(p);
      }
    };
    walk(join(app, "node_modules"));
    expect(cores).toEqual([join("node_modules", "@cubed-ts", "core")]);

    for (const p of PACKAGES) {
      const dir = join(app, "node_modules", "@cubed-ts", p);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        license?: string; repository?: { url?: string }; engines?: { node?: string }; sideEffects?: unknown;
        type?: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
        exports: Record<string, string | { types?: string; import?: string }>;
      };
      expect(pkg.license, p).toBe("MIT");
      expect(pkg.repository?.url, p).toMatch(/^git\+https:\/\//);
      expect(pkg.engines?.node, p).toBe(">=20");
      expect(typeof pkg.sideEffects, p).toBe("boolean");
      expect(pkg.type, p).toBe("module");
      expect(existsSync(join(dir, "LICENSE")), `${p} LICENSE`).toBe(true);
      expect(existsSync(join(dir, "README.md")), `${p} README.md`).toBe(true);
      if (p !== "core") {
        expect(pkg.peerDependencies?.["@cubed-ts/core"], p).toBe("^0.1.0");
        expect(pkg.dependencies?.["@cubed-ts/core"], p).toBeUndefined();
      }
      for (const dep of ["esbuild", "tsup", "typescript", "vitest"]) expect(pkg.dependencies?.[dep], `${p} depends on ${dep} at run time`).toBeUndefined();
      for (const [sub, target] of Object.entries(pkg.exports)) {
        if (sub === "./package.json") continue;
        if (typeof target === "string") throw new Error(`${p} exports ${sub} without types`);
        expect(target.types, `${p} ${sub} types`).toBeDefined();
        expect(existsSync(join(dir, target.types!)), `${p} ${sub} ${target.types}`).toBe(true);
        expect(existsSync(join(dir, target.import!)), `${p} ${sub} ${target.import}`).toBe(true);
      }
    }
  });

  it("compile a consumer with strict tsc (NodeNext, skipLibCheck off, every entry point imported)", () => {
    const r = run(process.execPath, [tsc, "-p", "."], app, true);
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });

  it('open an xarray-written Zarr with openDataset(url, { chunkedArrayType: "cubed", spec }) and compute mean("time") on threads, as xarray', () => {
    const expected = runPython<{ dims: string[]; values: Record<string, (number | null)[]> }>("write_climate.py", data);
    const r = run(process.execPath, [join(app, "dist", "mean-time.js"), join(data, "climate.zarr"), join(tmp, "work")], app);
    const got = JSON.parse(r.stdout) as { dims: string[]; lazy: string[]; values: Record<string, (number | null)[]>; tasks: number; workers: string[] };
    // lazy by default: no data read when opening, the tasks ran on the pool's threads
    expect(got.lazy.sort()).toEqual(["pr", "tas"]);
    expect(got.tasks).toBeGreaterThan(0);
    expect(got.workers.length).toBeGreaterThan(0);
    for (const w of got.workers) expect(w).toMatch(/^thread-\d+$/);
    expect(got.dims).toEqual(expected.dims);
    expect(Object.keys(got.values).sort()).toEqual(Object.keys(expected.values).sort());
    // tas is float64 on both sides; pr is packed int16 that xarray 2023 decodes to float32, cubed-ts to float64
    const tolerance: Record<string, number> = { tas: 1e-12, pr: 1e-5 };
    for (const [name, want] of Object.entries(expected.values)) {
      const have = got.values[name]!;
      expect(have.length, name).toBe(want.length);
      want.forEach((w, i) => {
        if (w === null) expect(have[i], `${name}[${i}]`).toBeNull();
        else expect(Math.abs(have[i]! - w), `${name}[${i}]: ${have[i]} vs ${w}`).toBeLessThanOrEqual(tolerance[name]! * Math.max(1, Math.abs(w)));
      });
    }
  });

  it("are ESM-only: require() fails with ERR_PACKAGE_PATH_NOT_EXPORTED, as each README says", () => {
    for (const p of PACKAGES) {
      const r = run(process.execPath, ["-e", `require("@cubed-ts/${p}")`], app, true);
      expect(r.status, p).not.toBe(0);
      expect(r.stderr, p).toContain(`Error [ERR_PACKAGE_PATH_NOT_EXPORTED]: No "exports" main defined in`);
      const readme = readFileSync(join(app, "node_modules", "@cubed-ts", p, "README.md"), "utf8");
      expect(readme, `${p} README`).toContain("ESM-only");
      expect(readme, `${p} README`).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    }
  });

  it("run the exec-lambda CLI; without esbuild (an optional peer) bundling fails with a DeployError saying what to install", () => {
    const bin = join(app, "node_modules", ".bin", "cubed-ts");
    const name = run(bin, ["lambda", "name", "--memory", "2GB"], app);
    expect(name.stdout).toMatch(/cubed-ts_0-1-0_1908MB/);
    const r = run(bin, ["lambda", "bundle", "--out", join(tmp, "lambda.zip")], app, true);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("DeployError");
    expect(r.stderr).toContain("npm install --save-dev esbuild@^0.27.0");
    expect(existsSync(join(tmp, "lambda.zip"))).toBe(false);
  });

  it("run HttpExecutor against the Web-standard worker in-process, without exec-http's optional peers, to the values computed directly", () => {
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "@cubed-ts", "exec-http", "package.json"), "utf8")) as {
      peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    const peers = ["@google-cloud/functions-framework", "workerd"];
    for (const dep of peers) {
      expect(pkg.peerDependencies[dep], dep).toMatch(/^\d+\.\d+\.\d+$/); // pinned exactly
      expect(pkg.peerDependenciesMeta[dep]?.optional, dep).toBe(true);
      expect(existsSync(join(app, "node_modules", dep)), `${dep} was installed`).toBe(false);
    }
    const r = run(process.execPath, [join(app, "dist", "http-worker.js"), join(tmp, "work-http")], app);
    const got = JSON.parse(r.stdout) as {
      mean: number[]; x: number[]; shape: number[]; requests: number; workers: string[];
      missing: Record<string, { tag: string; dependency?: string; message: string }>;
    };
    // the mean over axis 0 of x * x, from x's values
    const [rows, cols] = got.shape as [number, number];
    expect(got.x).toHaveLength(rows * cols);
    expect(got.x.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(got.mean).toHaveLength(cols);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += got.x[i * cols + j]! ** 2;
      expect(Math.abs(got.mean[j]! - s / rows), `column ${j}`).toBeLessThanOrEqual(1e-12);
    }
    // every task went through the worker protocol to the in-process worker
    expect(got.requests).toBeGreaterThan(0);
    expect(got.workers.length).toBeGreaterThan(0);
    for (const w of got.workers) expect(w).toMatch(/^http:[0-9a-f]+$/);
    for (const [name, dep] of [["functions-framework", peers[0]!], ["workerd", peers[1]!]] as const) {
      const m = got.missing[name]!;
      expect(m.tag, name).toBe("MissingDependencyError");
      expect(m.dependency, name).toBe(dep);
      expect(m.message, name).toContain(`npm install --save-dev ${dep}@${pkg.peerDependencies[dep]}`);
    }
  });
});
