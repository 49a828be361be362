// The bench as a newcomer sees it: in a real terminal (a tmux pane of 80 columns), with the
// progress bar on, then Ctrl-C. tmux comes from Debian's tmux package (.ci/run installs it).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Spec } from "@cubed-ts/core";
import { beforeAll, describe, expect, it } from "vitest";
import { generateInputs } from "../src/index.js";
import { cleanEnv, cli, ensureBuiltCli, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs("cubed-bench-tty-");

/** Every file under `dir` with its size and modification time. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => {
      const p = join(e.parentPath, e.name);
      const s = statSync(p);
      return `${relative(dir, p)} ${e.isDirectory() ? "dir" : `${s.size} ${s.mtimeMs}`}`;
    })
    .sort();
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Lines of a progress bar frame: "<n> <label> [███░░] <pct>% <done>/<total> <status>". */
const BAR = /^(\d+) .*\[[█░]+\]\s+(\d+)%\s+(\d+)\/(\d+) (.*)$/;

describe("the bench CLI in a terminal", () => {
  beforeAll(ensureBuiltCli);

  it("draws one progress line per op within 80 columns; Ctrl-C stops it and leaves nothing but the inputs", async () => {
    const dir = tempDir();
    const work = join(dir, "work");
    const inputs = join(work, "inputs", "small");
    // 120 one-step chunks: with --allowed-mem 101MB the labelled plan has several ops and ~50 tasks
    await generateInputs(inputs, { shape: [120, 1, 40, 40], chunks: [1, 1, 40, 40], seed: 1, compressor: null, spec: new Spec({ workDir: join(dir, "gen") }) });
    const before = listing(work);
    expect(readdirSync(work)).toEqual(["inputs"]);

    // a tmux server of its own (never the user's), one pane of 80 × 30
    const socket = `cubed-bench-test-${process.pid}`;
    const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: cleanEnv() });
    const exitFile = join(dir, "exit-code");
    // every task waits 400 ms first (the in-process executor's slowMs fault), so the compute lasts ~10 s;
    // the shell survives Ctrl-C (its trap) to record the CLI's exit code
    const command =
      `trap 'true' INT; CUBED_FAULTS=slow=400 node ${cli} quadratic-means --input-dir ${inputs} --work-dir ${work} --allowed-mem 101MB; ` +
      `echo $? > ${exitFile}; sleep 120`;
    tmux("new-session", "-d", "-s", "bench", "-x", "80", "-y", "30", "--", "sh", "-c", command);
    try {
      const screen = (): string[] => tmux("capture-pane", "-p", "-J", "-t", "bench").split("\n").map((l) => l.trimEnd());
      let frame: string[] = [];
      // wait until the first op has finished a task and shows an ETA
      await waitFor("a progress bar with done tasks and an ETA", () => {
        frame = screen();
        return frame.some((l) => BAR.exec(l)?.[1] === "1" && Number(BAR.exec(l)![3]) > 0 && /ETA \d+:\d\d/.test(BAR.exec(l)![5]!));
      }, 90_000);
      // -J joins wrapped lines: none is wider than the pane
      for (const l of frame) expect([...l].length, l).toBeLessThanOrEqual(80);
      const bars = frame.filter((l) => BAR.test(l));
      // redrawn in place: each op once, numbered 1..n in order (not a scrolling log)
      expect(bars.length).toBeGreaterThan(1);
      expect(bars.map((l) => Number(BAR.exec(l)![1]))).toEqual(bars.map((_, i) => i + 1));
      for (const l of bars) {
        const [, , pct, done, total] = BAR.exec(l)!;
        expect(Number(pct)).toBe(Math.floor((100 * Number(done)) / Number(total)));
      }
      // the compute's intermediates and the dataset view exist while it runs
      const during = readdirSync(work);
      expect(during.some((n) => n.startsWith("cubed-"))).toBe(true);
      expect(during).toContain("views");

      tmux("send-keys", "-t", "bench", "C-c");
      await waitFor("the CLI to exit", () => existsSync(exitFile), 60_000);
      expect(readFileSync(exitFile, "utf8").trim()).toBe("130");
      const end = screen();
      expect(end.join("\n")).toContain("interrupted: running tasks stopped; intermediates and the dataset view removed (inputs kept).");
      // the last frame marks the unfinished ops as stopped
      expect(end.filter((l) => BAR.exec(l)?.[5] === "stopped").length).toBeGreaterThan(0);
      // nothing is left but the inputs, untouched
      expect(listing(work)).toEqual(before);
    } finally {
      spawnSync("tmux", ["-L", socket, "kill-server"], { env: cleanEnv() });
    }
  });
});
