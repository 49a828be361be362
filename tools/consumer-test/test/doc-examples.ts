// Extracts the TypeScript examples from Markdown files. The conventions are
// described in docs/doc-examples.md.
import { readFileSync } from "node:fs";

/** One fenced ```ts block. */
export interface DocBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The words after `ts` in the info string (`no-run`, `continues`). */
  flags: string[];
  code: string;
}

/** A program: a block and the `continues` blocks after it, run as one module. */
export interface DocProgram {
  /** `file:line` of its first block. */
  id: string;
  blocks: DocBlock[];
  /** False when any of its blocks is `no-run` (type-checked only). */
  run: boolean;
}

const FLAGS = new Set(["no-run", "continues"]);

/** The ```ts / ```typescript blocks of a Markdown text; unknown flags are an error. */
export function extractBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]!.trimEnd());
    if (!open) continue;
    const flags = (open[2] ?? "").split(/\s+/).filter((f) => f !== "");
    for (const f of flags) if (!FLAGS.has(f)) throw new Error(`${file}:${i + 1}: unknown flag "${f}" on a ts block (known: ${[...FLAGS].join(", ")})`);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code block`);
    blocks.push({ file, line: start + 1, flags, code: body.join("\n") });
  }
  return blocks;
}

/** Groups blocks into programs: a `continues` block joins the previous program of the same file. */
export function programs(blocks: readonly DocBlock[]): DocProgram[] {
  const out: DocProgram[] = [];
  for (const b of blocks) {
    const prev = out.at(-1);
    if (b.flags.includes("continues")) {
      if (!prev || prev.blocks[0]!.file !== b.file) throw new Error(`${b.file}:${b.line}: a "continues" block must follow another ts block of the same file`);
      prev.blocks.push(b);
      if (b.flags.includes("no-run")) prev.run = false;
    } else {
      out.push({ id: `${b.file}:${b.line}`, blocks: [b], run: !b.flags.includes("no-run") });
    }
  }
  return out;
}

/** The module source of a program and, per generated line, the Markdown `file:line` it came from. */
export function programSource(p: DocProgram): { source: string; origin: string[] } {
  const src: string[] = [];
  const origin: string[] = [];
  for (const b of p.blocks) {
    b.code.split("\n").forEach((l, k) => {
      src.push(l);
      origin.push(`${b.file}:${b.line + 1 + k}`);
    });
  }
  src.push("export {};");
  origin.push(`${p.id} (end)`);
  return { source: src.join("\n") + "\n", origin };
}

/** Reads and extracts every file. */
export function readPrograms(root: string, files: readonly string[]): DocProgram[] {
  return files.flatMap((f) => programs(extractBlocks(f, readFileSync(`${root}/${f}`, "utf8"))));
}
