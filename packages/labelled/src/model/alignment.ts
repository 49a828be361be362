/**
 * Alignment on index coordinates (xarray's `align`): joins the indexes of every
 * dimension and reindexes each object, filling missing labels with NaN.
 * @module
 */
import { NDArray } from "@cubed-ts/core";
import { StringArray } from "../dtypes.js";
import { AlignmentError } from "../errors.js";
import { castElement, alloc } from "../backends/ndarray-ops.js";
import { Index, sortLabels } from "./indexes.js";
import { Variable } from "./variable.js";

/** How indexes are joined. */
export type JoinKind = "inner" | "outer" | "left" | "right" | "exact" | "override";

/** What alignment needs from a labelled object. */
export interface Alignable<T> {
  readonly sizes: Record<string, number>;
  readonly indexes: ReadonlyMap<string, Index>;
  /** The variable of a coordinate. */
  coordVariable(name: string): Variable;
  /** A copy reindexed along `dim` (-1 = missing), with `index` as its new dimension coordinate. */
  reindexPositions(dim: string, positions: readonly number[] | null, index: Variable): T;
}

/** A dimension coordinate holding `labels`, shaped like `template` (dtype, attrs). */
export function indexVariable(dim: string, labels: readonly (number | string)[], template: Variable): Variable {
  if (template.dtype === "str") return new Variable([dim], new StringArray([labels.length], labels.map(String)), template.attrs, template.encoding);
  const dtype = template.isDatetime ? "float64" : (template.data as NDArray).dtype;
  const out = alloc(dtype, labels.length);
  labels.forEach((l, i) => {
    out[i] = castElement(Number(l), dtype);
  });
  return new Variable([dim], new NDArray(dtype, [labels.length], out), template.attrs, template.encoding, { datetime: template.isDatetime });
}

function formatSet(sizes: Iterable<number>): string {
  return `{${[...new Set(sizes)].sort((a, b) => a - b).join(", ")}}`;
}

/**
 * Aligns objects on their shared index coordinates.
 * - `inner` (arithmetic's default): labels present everywhere, in the first object's order;
 * - `outer`: every label, sorted; `left`/`right`: the first/last object's labels;
 * - `exact`: indexes must already be equal; `override`: sizes must be equal, the first's labels win.
 * Dims without an index on any object must have one size; an unindexed dim
 * must match the joined index's size.
 *
 * @example
 * ```ts
 * const [p2, q2] = align([p, q], { join: "outer" });
 * ```
 */
export function align<T extends Alignable<T>>(objs: readonly T[], options: { join?: JoinKind; exclude?: readonly string[] } = {}): T[] {
  const join = options.join ?? "inner";
  const exclude = new Set(options.exclude ?? []);
  const dims: string[] = [];
  for (const o of objs) for (const d of Object.keys(o.sizes)) if (!dims.includes(d) && !exclude.has(d)) dims.push(d);
  let out = [...objs];
  for (const dim of dims) {
    const having = out.map((o, i) => ({ o, i })).filter(({ o }) => dim in o.sizes);
    const indexed = having.filter(({ o }) => o.indexes.has(dim));
    const unindexed = having.filter(({ o }) => !o.indexes.has(dim));
    if (indexed.length === 0) {
      const sizes = new Set(having.map(({ o }) => o.sizes[dim]!));
      if (sizes.size > 1) {
        throw new AlignmentError(
          `cannot reindex or align along dimension '${dim}' because of conflicting dimension sizes: ${formatSet(sizes)}`,
          dim,
        );
      }
      continue;
    }
    const idxs = indexed.map(({ o }) => o.indexes.get(dim)!);
    const allEqual = idxs.every((x) => x.equals(idxs[0]!));
    const template = indexed[0]!.o.coordVariable(dim);
    let labels: readonly (number | string)[];
    let joinedVar: Variable;
    if (allEqual) {
      labels = idxs[0]!.labels;
      joinedVar = template;
    } else {
      switch (join) {
        case "exact":
          throw new AlignmentError(
            `cannot align objects with join='exact' where index/labels/sizes are not equal along these coordinates (dimensions): '${dim}' ('${dim}',)`,
            dim,
          );
        case "override": {
          const sizes = new Set(idxs.map((x) => x.size));
          if (sizes.size > 1) {
            throw new AlignmentError(`cannot align objects with join='override' along '${dim}': index sizes differ ${formatSet(sizes)}.`, dim);
          }
          labels = idxs[0]!.labels;
          break;
        }
        case "left":
          labels = idxs[0]!.labels;
          break;
        case "right":
          labels = idxs[idxs.length - 1]!.labels;
          break;
        case "inner": {
          const others = idxs.slice(1).map((x) => new Set(x.labels));
          labels = idxs[0]!.labels.filter((l) => others.every((s) => s.has(l)));
          break;
        }
        case "outer": {
          const seen = new Set<number | string>();
          const all: (number | string)[] = [];
          for (const x of idxs) for (const l of x.labels) if (!seen.has(l)) (seen.add(l), all.push(l));
          labels = sortLabels(all);
          break;
        }
      }
      joinedVar = indexVariable(dim, labels, template);
    }
    for (const { o } of unindexed) {
      if (o.sizes[dim] !== labels.length) {
        throw new AlignmentError(
          `cannot reindex or align along dimension '${dim}' without an index because its size ${o.sizes[dim]} is different ` +
            `from the size of the new index ${labels.length}`,
          dim,
        );
      }
    }
    if (allEqual) continue;
    const joined = new Index(dim, labels, idxs[0]!.kind);
    out = out.map((o) => {
      const idx = o.indexes.get(dim);
      if (!idx) return o;
      if (idx.equals(joined)) return o;
      if (join === "override") return o.reindexPositions(dim, null, joinedVar);
      const positions = labels.map((l) => idx.getLoc(l));
      return o.reindexPositions(dim, positions, joinedVar);
    });
  }
  return out;
}
