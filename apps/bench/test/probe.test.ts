import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.js";
import { probeHost } from "../src/probe.js";

describe("bench probe", () => {
  it("measures fresh against reused memory: a fresh buffer faults its pages in, a reused one does not", () => {
    // 64 MB: above glibc's largest mmap threshold, so every fresh buffer is newly mapped memory
    const rows = probeHost({ bytes: 64e6, repeat: 3 });
    expect(rows.map((r) => r.name)).toEqual([
      "allocate + fill a new Float64Array",
      "fill one reused Float64Array",
      "read a file into a new buffer (readFileSync)",
      "read a file into one reused buffer (readSync)",
      "u*u + v*v + u*v into a new output",
      "u*u + v*v + u*v into one reused output",
    ]);
    for (const r of rows) expect(r.gbPerSecond, r.name).toBeGreaterThan(0);
    // one minor fault per 4 KiB page: ~244 000 per GB when fresh, almost none when reused
    expect(rows[0]!.minorFaultsPerGB).toBeGreaterThan(100_000);
    expect(rows[1]!.minorFaultsPerGB).toBeLessThan(rows[0]!.minorFaultsPerGB / 10);
    expect(rows[5]!.minorFaultsPerGB).toBeLessThan(rows[4]!.minorFaultsPerGB / 10);
  });

  it("prints the table from the CLI and refuses bad options with exit code 2", async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(["probe", "--size", "8MB", "--repeat", "1"], { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(0);
    const lines = out.join("\n").split("\n");
    expect(lines[0]).toBe("| probe on this host | GB/s | minor faults/GB |");
    expect(lines.length).toBe(8);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(await runCli(["probe", "--size", "lots"], { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(2);
    expect(err.join("\n")).toMatch(/--size/);
  });
});
