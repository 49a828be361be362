import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as core from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "cubed-viz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

describe("visualize", () => {
  it("writes an SVG and DOT text naming every op with its tasks and projected memory", async () => {
    const spec = new core.Spec({ workDir: join(dir, "work"), allowedMem: "170MB", reservedMem: "100MB" });
    const x = core.random.random([4096, 4096], { chunks: [256, 4096], seed: 1, spec });
    const y = core.rechunk(core.add(x, 1), [4096, 256]);
    const m = core.mean(core.multiply(y, core.ones([4096, 4096], { chunks: [4096, 256], spec })), { axis: 0 });
    const file = join(dir, "plan.svg");
    const v = await core.visualize([m], { file });
    const svg = readFileSync(file, "utf8");
    expect(svg).toMatch(/^<\?xml|<svg/);
    expect(svg).toContain("</svg>");
    const plan = m.plan().plan;
    for (const op of Object.values(plan.ops)) {
      expect(v.dot).toContain(op.id);
      expect(svg).toContain(op.label.replace(/&/g, "&amp;"));
      expect(svg).toContain(`${op.stats.numTasks} task`);
      expect(svg).toContain(core.formatMemory(op.stats.projectedMem));
    }
    expect(v.overMemory).toEqual([]);
    // virtual arrays are white, stored arrays filled
    expect(v.dot).toMatch(/fillcolor="white", label="full/);
    expect(v.dot).toMatch(/fillcolor="#deebf7"/);
    const dotFile = join(dir, "plan.dot");
    await core.visualize(m, { file: dotFile });
    expect(readFileSync(dotFile, "utf8")).toBe(v.dot);
  });

  it("draws ops over allowedMem in red (and does not raise)", async () => {
    const spec = new core.Spec({ workDir: join(dir, "work2"), allowedMem: "120MB", reservedMem: "100MB" });
    const x = core.random.random([2000, 2000], { chunks: [2000, 2000], seed: 1, spec });
    const v = await core.visualize(core.add(x, 1));
    expect(v.overMemory.length).toBe(1);
    expect(v.dot).toContain('color="#cb181d"');
    await expect(core.visualize(core.add(x, 1), { file: join(dir, "x.png") })).rejects.toThrow(/\.svg or \.dot/);
  });
});
