import { writeFile } from "node:fs/promises";
import { ValueError } from "../errors.js";
import type { CubedArray } from "../array/array.js";
import { planArrays } from "../array/plan-view.js";
import { type PlanDotOptions, planToDot } from "./plan-dot.js";

/** Options of {@link visualize}. */
export interface VisualizeOptions extends PlanDotOptions {
  /** Write the picture here: `.svg` for SVG, `.dot` (or `.gv`) for DOT text. */
  file?: string;
  /** Fuse ops first, as compute does (default true). */
  optimize?: boolean;
}

/** What {@link visualize} produced. */
export interface Visualization {
  dot: string;
  svg: string;
  /** Ops whose projected memory exceeds allowedMem (drawn in red); compute would refuse them. */
  overMemory: string[];
}

type GraphvizModule = { Graphviz: { load(): Promise<{ dot(src: string, format?: "svg"): string }> } };

/**
 * Draws the plan that computing `arrays` would run: Graphviz DOT text and an
 * SVG rendered with a WebAssembly build of Graphviz (no system install). Ops
 * show their name, task count and projected memory; ops over allowedMem are
 * red; stored arrays are filled, virtual ones white. Never raises for memory:
 * `overMemory` lists the ops compute would refuse.
 *
 * @example
 * ```ts
 * const { overMemory } = await visualize([y], { file: "plan.svg" });
 * ```
 */
export async function visualize(arrays: CubedArray | readonly CubedArray[], options: VisualizeOptions = {}): Promise<Visualization> {
  const list = Array.isArray(arrays) ? (arrays as readonly CubedArray[]) : [arrays as CubedArray];
  const plan = planArrays(list, { optimize: options.optimize }).plan;
  const dot = planToDot(plan, options);
  const mod = (await import("@hpcc-js/wasm-graphviz")) as unknown as GraphvizModule;
  const graphviz = await mod.Graphviz.load();
  const svg = graphviz.dot(dot, "svg");
  if (options.file !== undefined) {
    const f = options.file;
    if (/\.svg$/i.test(f)) await writeFile(f, svg);
    else if (/\.(dot|gv)$/i.test(f)) await writeFile(f, dot);
    else throw new ValueError(`visualize writes .svg or .dot files, got ${JSON.stringify(f)}.`, "file");
  }
  const overMemory = Object.values(plan.ops)
    .filter((o) => o.stats.projectedMem > plan.spec.allowedMem)
    .map((o) => o.id);
  return { dot, svg, overMemory };
}
