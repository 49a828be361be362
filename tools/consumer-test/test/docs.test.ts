// Every TypeScript example in README.md, docs/*.md and packages/*/README.md is
// type-checked with strict tsc and run, each in a fresh directory holding the
// small fixtures the examples read (written here by xarray / zarr-python), with
// a local S3 stand-in behind the standard AWS environment. The conventions
// (`no-run`, `continues`, relative `data/` paths) are in docs/doc-examples.md.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from "@cubed-ts/aws-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programSource, readPrograms } from "./doc-examples.js";
import { PACKAGES, REPO_ROOT, runPython } from "./helpers.js";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", ".examples");

const DOCS = [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`),
  ...PACKAGES.map((p) => `packages/${p}/README.md`),
];
const progs = readPrograms(REPO_ROOT, DOCS);
/** Runs a script with node, resolving with its exit status and output (killed after 2 minutes). */
function runNode(js: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [js], { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
const fileOf = (id: string): string => id.replace(/[^A-Za-z0-9]+/g, "_");

let fixtures: string;
let s3: LocalS3 | undefined;
let tscOutput = "";

beforeAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const origins = new Map<string, string[]>();
  for (const p of progs) {
    const { source, origin } = programSource(p);
    writeFileSync(join(outDir, `${fileOf(p.id)}.ts`), source);
    origins.set(`${fileOf(p.id)}.ts`, origin);
  }
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"],
        strict: true, noUncheckedSideEffectImports: true, skipLibCheck: true, outDir: "dist", rootDir: ".",
      },
      include: ["*.ts"],
    }),
  );
  const r = spawnSync(process.execPath, [tsc, "-p", outDir], { encoding: "utf8" });
  // report errors at their Markdown line: "docs/aws.md:180: error TS2304: ..."
  tscOutput = `${r.stdout}${r.stderr}`.replace(/^(\S+\.ts)\((\d+),(\d+)\): /gm, (_, f: string, l: string) => `${origins.get(basename(f))?.[Number(l) - 1] ?? `${f}:${l}`}: `);

  fixtures = mkdtempSync(join(tmpdir(), "cubed-doc-fixtures-"));
  runPython("write_doc_fixtures.py", fixtures);
  s3 = await startLocalS3({ buckets: ["my-bucket"], credentials: { ...LOCAL_CREDENTIALS } });
});

afterAll(async () => {
  await s3?.stop();
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

describe("documentation examples", () => {
  it("are found in every file that should have them, and tsc reports nothing else", () => {
    expect(progs.length).toBeGreaterThan(10);
    expect(tscOutput.split("\n").filter((l) => l.trim() !== "" && !/^[\w./-]+\.md:\d+: /.test(l)).join("\n")).toBe("");
    for (const p of PACKAGES) expect(progs.some((x) => x.id.startsWith(`packages/${p}/README.md`)), p).toBe(true);
  });

  for (const p of progs) {
    it(`${p.id} type-checks (strict)${p.run ? " and runs" : " (no-run)"}`, async () => {
      const mine = tscOutput.split("\n").filter((l) => p.blocks.some((b) => l.startsWith(`${b.file}:`) && Number(l.split(":")[1]) > b.line && Number(l.split(":")[1]) <= b.line + b.code.split("\n").length));
      expect(mine.join("\n")).toBe("");
      if (!p.run) return;
      const js = join(outDir, "dist", `${fileOf(p.id)}.js`);
      expect(existsSync(js), `${js} was not emitted:\n${tscOutput}`).toBe(true);
      const cwd = mkdtempSync(join(tmpdir(), "cubed-doc-run-"));
      try {
        cpSync(fixtures, cwd, { recursive: true });
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_REGION: "us-east-1",
          AWS_ENDPOINT_URL_S3: s3!.endpoint,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        };
        // asynchronously: the S3 stand-in serves from this process
        const r = await runNode(js, cwd, env);
        expect(r.status, `${p.id} exited ${r.status} (${r.signal ?? ""}):\n${r.stdout}\n${r.stderr}`).toBe(0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }

  it("every package README has a quickstart and says it is ESM-only", () => {
    for (const p of PACKAGES) {
      const text = readFileSync(join(REPO_ROOT, "packages", p, "README.md"), "utf8");
      expect(text, p).toMatch(/## Quickstart\n[\s\S]*?```ts/);
      expect(text, p).toContain("## ESM-only");
      expect(text, p).toContain(`require("@cubed-ts/${p}")`);
    }
  });

  it("cite nothing outside the repository, and their relative links resolve", () => {
    const files = [...DOCS, "apps/bench/README.md", "tools/aws-local/README.md", "packages/core/test/fixtures/README.md"];
    for (const f of files) {
      const text = readFileSync(join(REPO_ROOT, f), "utf8");
      expect(text, f).not.toMatch(/shared\/notes|project notes|\bnotes\/|\/work\/|peer-baselines\.md|cubed-design\.md|conventions note/);
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        expect(existsSync(join(REPO_ROOT, dirname(f), target)), `${f} links to ${target}`).toBe(true);
      }
    }
  });
});
