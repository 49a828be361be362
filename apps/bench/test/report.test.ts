import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALLOWED_COLOUR, PROJECTED_COLOUR, opColours } from "@cubed-ts/core";
import { type QuadraticMeansResult, renderHtmlReport, runQuadraticMeans, writeRunReport } from "../src/index.js";
import { countColour, decodePng, hexColour } from "./png.js";

const mbs = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

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
    // t = 16, chunks of 2 time steps (4 MB): 8 chunk pairs, two first-round tasks and a last one, over 2 workers
    r = await runQuadraticMeans({ t: 16, workDir, spatialShape: [1, 500, 500], timeChunk: 2, allowedMem: "124MB", concurrency: 2 });
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

  it("renders in headless Chromium: the DOM has both charts, and the screenshot shows them in their series colours", () => {
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

    // where the charts are on the page: a copy of the report whose script writes their boxes into the DOM
    const probe = join(dir, "probe.html");
    const script =
      `<script>document.body.setAttribute("data-boxes", JSON.stringify(["timeline", "memory"].map((id) => ` +
      `{ const b = document.getElementById(id).getBoundingClientRect(); return { id, x: b.x, y: b.y + scrollY, w: b.width, h: b.height }; })));</script>`;
    writeFileSync(probe, readFileSync(html, "utf8").replace("</body>", `${script}</body>`));
    const size = "--window-size=1000,1600";
    const probed = spawnSync(CHROMIUM, [...CHROMIUM_FLAGS, size, "--dump-dom", `file://${probe}`], { encoding: "utf8", timeout: 60_000 });
    expect(probed.status, probed.stderr).toBe(0);
    const attr = /data-boxes="([^"]*)"/.exec(probed.stdout)?.[1];
    expect(attr).toBeDefined();
    const boxes = JSON.parse(attr!.replace(/&quot;/g, '"')) as { id: string; x: number; y: number; w: number; h: number }[];
    const [timeline, memory] = boxes as [(typeof boxes)[0], (typeof boxes)[0]];
    expect(timeline.w).toBe(900);
    expect(memory.w).toBe(900);
    expect(memory.y).toBeGreaterThan(timeline.y + timeline.h);
    expect(memory.y + memory.h).toBeLessThan(1600);

    const png = join(dir, "report.png");
    const shot = spawnSync(CHROMIUM, [...CHROMIUM_FLAGS, size, `--screenshot=${png}`, `file://${html}`], { encoding: "utf8", timeout: 60_000 });
    expect(shot.status, shot.stderr).toBe(0);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1000, 1600]);
    const colours = opColours(r.ops);
    const opsWithTasks = r.ops.filter((o) => r.tasks.some((t) => t.opId === o.id));
    expect(opsWithTasks.length).toBeGreaterThan(0);
    for (const o of opsWithTasks) {
      // the op's task bars in the timeline and its measured dots in the memory chart
      expect(countColour(img, timeline, hexColour(colours.get(o.id)!)), `timeline bars of ${o.id}`).toBeGreaterThan(10);
      expect(countColour(img, memory, hexColour(colours.get(o.id)!)), `memory dots of ${o.id}`).toBeGreaterThan(10);
    }
    // the projection (a 3 px step line across the plot) and the allowed line (2 px) are drawn in the memory chart only
    expect(countColour(img, memory, hexColour(PROJECTED_COLOUR))).toBeGreaterThan(300);
    expect(countColour(img, memory, hexColour(ALLOWED_COLOUR))).toBeGreaterThan(300);
    expect(countColour(img, timeline, hexColour(PROJECTED_COLOUR))).toBe(0);
    // and nothing is drawn left of the charts but the page's white margin
    expect(countColour(img, { x: 0, y: timeline.y, w: 20, h: memory.y + memory.h - timeline.y }, [255, 255, 255], 0)).toBe(20 * Math.ceil(memory.y + memory.h - timeline.y));
  });

  it("the memory chart plots each task's own worker memory, not the process peak", () => {
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(r.tasks.every((t) => t.workerMem !== undefined)).toBe(true);
    for (const t of r.tasks) expect(html).toContain(`worker memory ${mbs(t.workerMem!)}, projected`);
    expect(html).not.toContain("process peak"); // every task reported its worker memory
    const projected = new Map(r.ops.map((o) => [o.id, o.projectedMem]));
    const over = r.tasks.filter((t) => t.workerMem! > projected.get(t.opId)!).length;
    expect(html.match(/data-over="1"/g)?.length ?? 0).toBe(over);
  });
});
