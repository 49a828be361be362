/**
 * Tampered plans for the trust-boundary suites: each takes a valid finalised
 * plan (as JSON data) and changes one thing an attacker who can write the plan
 * object could change. Every case must be refused by every worker entry point
 * with a typed error before anything is written, and no injected code may run:
 * payloads try to set `globalThis.__cubedPwned` and to write the canary file.
 */
import type { Plan } from "../../src/index.js";

/** One tampered plan: what was changed, the plan (JSON text), the task to ask for, the error tags accepted. */
export interface TamperedCase {
  name: string;
  planJson: string;
  opId: string;
  coords: unknown[];
  tags: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A JavaScript payload that, if it ever ran, would set a global and write `canary`. */
export function codePayload(canary: string): string {
  return `0]; (globalThis.__cubedPwned = 1, process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(canary)}, "pwned")); //`;
}

/** An ES module (as a data: URL) that, if imported, writes `canary`. */
export function moduleDataUrl(canary: string): string {
  const src = `import { writeFileSync } from "node:fs"; globalThis.__cubedPwned = 1; writeFileSync(${JSON.stringify(canary)}, "pwned");`;
  return `data:text/javascript,${encodeURIComponent(src)}`;
}

function clone(p: Plan): Record<string, Json> {
  return JSON.parse(JSON.stringify(p)) as Record<string, Json>;
}

/** Every string leaf of a JSON value, as [path keys, value]. */
function stringLeaves(v: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof v === "string") return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, [...path, i]));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [...stringLeaves(x, [...path, k]), ...(path.length <= 2 ? [] : [])]);
  return [];
}

function setAt(root: Json, path: (string | number)[], value: Json): void {
  let cur = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  cur[path[path.length - 1]!] = value;
}

function renameKey(obj: Record<string, Json>, from: string, to: string): void {
  const v = obj[from]!;
  delete obj[from];
  obj[to] = v;
}

/**
 * The tampered cases for `base`: `opId` is a runnable op of it (stage 0), `canary`
 * the file payloads try to write, `outside` a directory outside every location the
 * plan names (writes there must never happen), `evilModuleFile` an existing module
 * file that writes the canary when imported.
 */
export function tamperedPlans(base: Plan, options: { canary: string; outside: string; evilModuleFile: string }): TamperedCase[] {
  const { canary, outside } = options;
  const opId = base.stages[0]![0]!;
  const coords0 = base.ops[opId]!.stats.taskGrid.map(() => 0);
  const cases: TamperedCase[] = [];
  const REJECT = ["PlanRejectedError"];
  const add = (name: string, edit: (p: Record<string, Json>) => void, tags = REJECT, coords: unknown[] = coords0, op = opId): void => {
    const p = clone(base);
    edit(p);
    cases.push({ name, planJson: JSON.stringify(p), opId: op, coords, tags });
  };
  const ops = (p: Record<string, Json>) => p.ops as Record<string, Record<string, Json>>;
  const arrays = (p: Record<string, Json>) => p.arrays as Record<string, Record<string, Json>>;
  const exprOp = Object.values(base.ops).find((o) => o.kernel.kind === "expr")!;
  const reduceOp = Object.values(base.ops).find((o) => o.kernel.kind === "named" && o.kernel.name === "reduce")!;
  const inter = Object.values(base.arrays).find((a) => a.source.kind === "stored")!;
  const input = Object.values(base.arrays).find((a) => a.source.kind === "zarr")!;

  // 1. a code string in every string field of the plan
  const payload = codePayload(canary);
  for (const path of stringLeaves(clone(base) as Json)) {
    add(`code string at ${path.join(".")}`, (p) => setAt(p, path, payload), ["PlanRejectedError", "UntrustedModuleError"]);
  }
  // ... and in object keys (array and op ids)
  add("code string as an array id", (p) => renameKey(arrays(p), input.id, payload));
  add("code string as an op id", (p) => renameKey(ops(p), exprOp.id, payload));

  // 2. expressions outside the closed grammar
  const exprPath = (p: Record<string, Json>) => (ops(p)[exprOp.id]!.kernel as Record<string, Json>).expr as Record<string, Json>;
  add("expr: input index as code", (p) => Object.assign(exprPath(p), { op: "input", index: payload }));
  add("expr: input index out of range", (p) => Object.assign(exprPath(p), { op: "input", index: 99 }));
  add("expr: unknown function", (p) => Object.assign(exprPath(p), { op: "unary", fn: "constructor", arg: { op: "input", index: 0, dtype: "float64" } }));
  add("expr: unknown node", (p) => Object.assign(exprPath(p), { op: "call", fn: "eval", args: [] }));
  add("expr: scalar value as code", (p) => Object.assign(exprPath(p), { op: "scalar", value: `1); ${payload}` }));
  add("expr: extra field", (p) => Object.assign(exprPath(p), { code: payload }));
  add("expr: nested 1000 deep", (p) => {
    let e: Json = { op: "input", index: 0, dtype: "float64" };
    for (let i = 0; i < 1000; i++) e = { op: "unary", fn: "negative", arg: e, dtype: "float64" };
    (ops(p)[exprOp.id]!.kernel as Record<string, Json>).expr = e;
  });
  add("reduce: prologue index as code", (p) => {
    const parts = ((ops(p)[reduceOp.id]!.kernel as Record<string, Json>).args as Record<string, Json>).parts as Record<string, Json>[];
    parts[0]!.prologue = { op: "input", index: payload, dtype: "float64" };
  });
  add("reduce: part reads a missing op input", (p) => {
    const parts = ((ops(p)[reduceOp.id]!.kernel as Record<string, Json>).args as Record<string, Json>).parts as Record<string, Json>[];
    parts[0]!.inputs = [42];
  });
  add("reduce: unknown reducer", (p) => {
    const parts = ((ops(p)[reduceOp.id]!.kernel as Record<string, Json>).args as Record<string, Json>).parts as Record<string, Json>[];
    parts[0]!.reducer = "eval";
  });

  // 3. kernels and kernel modules from the plan
  const modules = (p: Record<string, Json>) => (p.spec as Record<string, Json>).kernelModules as Json[];
  add("kernel module: data: URL", (p) => modules(p).push(moduleDataUrl(canary)), ["UntrustedModuleError"]);
  add("kernel module: a file on this machine", (p) => modules(p).push(options.evilModuleFile), ["UntrustedModuleError"]);
  add("kernel module: node:child_process", (p) => modules(p).push("node:child_process"), ["UntrustedModuleError"]);
  add("kernel module: http URL", (p) => modules(p).push("http://127.0.0.1:9/evil.mjs"), ["UntrustedModuleError"]);
  add("kernel: unknown name", (p) => Object.assign(ops(p)[reduceOp.id]!.kernel as Record<string, Json>, { name: "evil/run" }), ["KernelNotFoundError"]);
  add("kernel: expr op turned into a named kernel with code args", (p) => {
    ops(p)[exprOp.id]!.kernel = { kind: "named", name: "place", args: { fill: payload } };
  });

  // 4. store locations
  const src = (p: Record<string, Json>, id: string) => arrays(p)[id]!.source as Record<string, Json>;
  add("intermediate moved outside the work dir", (p) => Object.assign(src(p, inter.id), { url: `file://${outside}` }));
  add("intermediate dir outside the work dir", (p) => Object.assign(p, { intermediateDir: `file://${outside}/cubed-x` }));
  add("work dir with a .. segment", (p) => Object.assign(p.spec as Record<string, Json>, { workDir: `${base.spec.workDir}/../..${outside}` }));
  add("array path with .. segments", (p) => Object.assign(src(p, inter.id), { path: `../../../../../../..${outside}/x` }));
  add("array path with an encoded slash", (p) => Object.assign(src(p, inter.id), { path: `..%2F..%2F..%2Fx` }));
  add("relative store URL", (p) => Object.assign(src(p, input.id), { url: "data/input.zarr" }));
  add("an op writes the user's input", (p) => ops(p)[exprOp.id]!.outputs = [input.id]);
  add("two ops write one array", (p) => {
    const other = Object.values(base.ops).find((o) => o.id !== exprOp.id && o.outputs.length === 1)!;
    ops(p)[other.id]!.outputs = [...exprOp.outputs];
  });

  // 5. missing, extra and mistyped fields
  add("no arrays", (p) => delete p.arrays);
  add("no stages", (p) => delete p.stages);
  add("extra top-level field", (p) => Object.assign(p, { hook: payload }));
  add("extra op field", (p) => Object.assign(ops(p)[exprOp.id]!, { run: payload }));
  add("__proto__ key in an array node", (p) => Object.defineProperty(arrays(p)[input.id]!, "__proto__", { value: { polluted: true }, enumerable: true }));
  add("version 2", (p) => Object.assign(p, { version: 2 }));
  add("shape is a string", (p) => Object.assign(arrays(p)[input.id]!, { shape: "abc" }));
  add("negative shape", (p) => Object.assign(arrays(p)[input.id]!, { shape: (input.shape as number[]).map(() => -1) }));
  add("chunks of 0", (p) => Object.assign(arrays(p)[input.id]!, { chunks: input.chunks.map(() => 0) }));
  add("chunks of another rank", (p) => Object.assign(arrays(p)[input.id]!, { chunks: [1] }));
  add("unknown dtype", (p) => Object.assign(arrays(p)[input.id]!, { dtype: "object" }));
  add("op input names a missing array", (p) => ((ops(p)[exprOp.id]!.inputs as Record<string, Json>[])[0]!.array = "nope"));
  add("block map axis out of range", (p) => (((ops(p)[exprOp.id]!.inputs as Record<string, Json>[])[0]!.map as Record<string, Json>).axes = [7, 9]));
  add("access mode unknown", (p) => ((ops(p)[exprOp.id]!.inputs as Record<string, Json>[])[0]!.access = "some"));
  add("stats.numTasks off", (p) => ((ops(p)[exprOp.id]!.stats as Record<string, Json>).numTasks = 1e12));
  add("task grid of 1e13 tasks", (p) => {
    Object.assign(arrays(p)[exprOp.outputs[0]!]!, { shape: [1e13, 1], chunks: [1, 1] });
  });
  add("an op in no stage", (p) => Object.assign(p, { stages: (p.stages as Json[][]).map((s) => s.filter((o) => o !== reduceOp.id)) }));
  add("a stage names a missing op", (p) => (p.stages as Json[][])[0]!.push("nope"));
  add("allowedMem negative", (p) => Object.assign(p.spec as Record<string, Json>, { allowedMem: -1 }));
  add("compressor unknown", (p) => Object.assign(p.spec as Record<string, Json>, { zarrCompressor: { name: "evil", level: 1 } }));
  add("inline data not base64", (p) => Object.assign(arrays(p)[input.id]!, { source: { kind: "inline", data: payload } }));
  add("generator unknown", (p) => Object.assign(arrays(p)[input.id]!, { source: { kind: "generated", generator: { name: "eval", seed: 1 } } }));
  add("computeId with a path", (p) => Object.assign(p, { computeId: "../../x" }));
  add("plan is an empty object", (p) => {
    for (const k of Object.keys(p)) delete p[k];
  });

  // 6. tasks off the grid (the plan itself untouched)
  const grid = base.ops[opId]!.stats.taskGrid;
  add("coordinates -1", () => {}, REJECT, grid.map(() => -1));
  add("coordinates off the grid", () => {}, REJECT, grid.map((g) => g + 5));
  add("coordinates of the wrong rank", () => {}, REJECT, [...coords0, 0]);
  add("coordinates not integers", () => {}, REJECT, grid.map(() => 0.5));
  add("coordinates as strings", () => {}, REJECT, grid.map(() => "0"));
  add("unknown op id", () => {}, REJECT, coords0, "op-nope");
  return cases;
}
