// Shared plumbing for the property tests: a Spec with a temp workDir per test
// file, conversion between reference RefArrays and lazy arrays / NDArrays, and
// a check that throws a readable message (fast-check prints it with the
// shrunk counterexample).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { type CubedArray, type DataType, type NDArray, type NestedArray, Spec, asarray } from "../../src/index.js";
import {
  type CompareOptions,
  type DType,
  type RefArray,
  type Scalar,
  compareRef,
  refToString,
  toNested,
} from "../reference/index.js";
import type { ChunkedCase } from "./arbitraries.js";

export interface TestSpec {
  spec: Spec;
  cleanup: () => void;
}

/** A Spec whose workDir is a fresh temp directory (remove it with cleanup()). */
export function makeSpec(label: string): TestSpec {
  const workDir = mkdtempSync(join(tmpdir(), `cubed-ts-prop-${label}-`));
  const spec = new Spec({ workDir, allowedMem: "500MB", reservedMem: "50MB" });
  return { spec, cleanup: () => rmSync(workDir, { recursive: true, force: true, maxRetries: 5 }) };
}

/** Runs per property: override everything with FC_RUNS, pin the seed with FC_SEED. */
export function runs(n: number): fc.Parameters<unknown> {
  const params: fc.Parameters<unknown> = { numRuns: Number(process.env.FC_RUNS ?? n) };
  if (process.env.FC_SEED !== undefined) params.seed = Number(process.env.FC_SEED);
  return params;
}

function toDataType(d: DType): DataType {
  return d;
}

/** A lazy array holding the reference's values, chunked as asked. */
export function lazy(c: ChunkedCase, spec: Spec): CubedArray {
  const nested: NestedArray = toNested(c.ref);
  return asarray(nested, { dtype: toDataType(c.ref.dtype), chunks: c.chunks, spec });
}

const DTYPE_NAMES: readonly string[] = [
  "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
];
function isDType(d: string): d is DType {
  return DTYPE_NAMES.includes(d);
}

/** An NDArray (result of compute) as a RefArray. */
export function fromND(nd: NDArray): RefArray {
  if (!isDType(nd.dtype)) throw new Error(`unknown dtype ${nd.dtype}`);
  const data: Scalar[] = [];
  for (const v of nd.data) data.push(v);
  return { shape: [...nd.shape], dtype: nd.dtype, data };
}

export async function evaluate(x: CubedArray): Promise<RefArray> {
  return fromND(await x.compute());
}

/** Describe a chunked input for failure messages. */
export function describeCase(name: string, c: ChunkedCase): string {
  return `${name} = ${refToString(c.ref)} chunks=[${c.chunks.join(",")}]`;
}

/** Throws (failing the property) unless `actual` matches `expected`. */
export function check(actual: RefArray, expected: RefArray, context: string, opts: CompareOptions = {}): void {
  const diff = compareRef(actual, expected, opts);
  if (diff === null) return;
  throw new Error(
    `${context}\n  ${diff}\n  got:      ${refToString(actual)}\n  expected: ${refToString(expected)}`,
  );
}

/** Message of an unknown thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Evaluate both sides: when the reference throws (an input it rejects, as
 * numpy would), the lazy API must throw too, either building or computing.
 */
export async function compareWith(
  build: () => CubedArray,
  reference: () => RefArray,
  context: string,
  opts: CompareOptions = {},
): Promise<void> {
  let expected: RefArray;
  try {
    expected = reference();
  } catch (refErr) {
    let got: RefArray;
    try {
      got = await evaluate(build());
    } catch {
      return; // both reject
    }
    throw new Error(`${context}\n  reference throws (${errorMessage(refErr)}) but got ${refToString(got)}`);
  }
  let actual: RefArray;
  let lazyArr: CubedArray;
  try {
    lazyArr = build();
    actual = await evaluate(lazyArr);
  } catch (e) {
    throw new Error(`${context}\n  threw ${errorMessage(e)}\n  expected: ${refToString(expected)}`);
  }
  checkMetadata(lazyArr, expected, context);
  check(actual, expected, context, opts);
}

/** The lazy array's plan-time dtype, shape and block grid agree with the expected result. */
export function checkMetadata(x: CubedArray, expected: RefArray, context: string): void {
  const problems: string[] = [];
  if (x.dtype !== expected.dtype) problems.push(`lazy dtype ${x.dtype}, expected ${expected.dtype}`);
  if (x.shape.join(",") !== expected.shape.join(",")) problems.push(`lazy shape (${x.shape.join(",")}), expected (${expected.shape.join(",")})`);
  if (x.chunks.length !== x.shape.length) problems.push(`chunks [${x.chunks.join(",")}] for ndim ${x.shape.length}`);
  const grid = x.shape.map((s, i) => Math.ceil(s / Math.max(1, x.chunks[i] ?? 1)));
  if (x.numblocks.join(",") !== grid.join(",")) problems.push(`numblocks [${x.numblocks.join(",")}], chunks imply [${grid.join(",")}]`);
  if (problems.length > 0) throw new Error(`${context}\n  ${problems.join("; ")}`);
}
