import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QuadraticMeansResult, renderHtmlReport, runQuadraticMeans, writeRunReport } from "../src/index.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "cubed-bench-report-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Debian's chromium package (.ci/run installs it: apt-get install -y chromium).
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Counts `<tag ... class="cls"` occurrences in markup. */
function countClass(html: string, tag: string, cls: string): number {
  return html.match(new RegExp(`<${tag}\\b[^>]*\\bclass="${cls}"`, "g"))?.length ?? 0;
}

describe("report.html and results.json", () => {
  let r: QuadraticMeansResult;
  let dir: string;
  beforeAll(async () => {
    const workDir = tempDir();
    // t = 8, chunks of 2 time steps (4 MB): allowedMem leaves room for a few chunks per task, so several tasks over 2 workers
    r = await runQuadraticMeans({ t: 8, workDir, spatialShape: [1, 500, 500], timeChunk: 2, allowedMem: "140MB", concurrency: 2 });
    dir = join(workDir, "report");
    await writeRunReport(r, { dir });
  });

  it("results.json round-trips the result; report.html is self-contained and has one bar and one dot per task", () => {
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as QuadraticMeansResult;
    expect(json).toEqual(r);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toBe(renderHtmlReport(r));
    // no external assets: no src=, href= or url( anywhere
    expect(html).not.toMatch(/\bsrc=|\bhref=|url\(/);
    expect(countClass(html, "rect", "task")).toBe(r.tasks.length);
    expect(countClass(html, "circle", "measured")).toBe(r.tasks.length);
    expect(r.tasks.length).toBe(r.plan.numTasks);
    expect(r.tasks.length).toBeGreaterThan(1);
    // one timeline row label per distinct worker
    for (const w of new Set(r.tasks.map((t) => t.worker))) expect(html).toContain(`>${w}</text>`);
    // every op is in the legend and the plan table
    for (const o of r.ops) expect(html).toContain(o.id);
  });

  it("renders in headless Chromium: the DOM has the charts and the screenshot is a PNG", () => {
    const html = join(dir, "report.html");
    const dom = spawnSync(CHROMIUM, [...CHROMIUM_FLAGS, "--dump-dom", `file://${html}`], { encoding: "utf8", timeout: 60_000 });
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stdout).toContain('<svg id="timeline"');
    expect(dom.stdout).toContain('<svg id="memory"');
    expect(dom.stdout).toContain('<table id="plan"');
    expect(countClass(dom.stdout, "rect", "task")).toBe(r.tasks.length);
    expect(countClass(dom.stdout, "circle", "measured")).toBe(r.tasks.length);
    expect(countClass(dom.stdout, "line", "allowed")).toBe(1);
    expect(countClass(dom.stdout, "path", "projected")).toBe(1);

    const png = join(dir, "report.png");
    const shot = spawnSync(CHROMIUM, [...CHROMIUM_FLAGS, `--screenshot=${png}`, "--window-size=1000,1400", `file://${html}`], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(shot.status, shot.stderr).toBe(0);
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height as asked
    expect(bytes.readUInt32BE(16)).toBe(1000);
    expect(bytes.readUInt32BE(20)).toBe(1400);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });
});
