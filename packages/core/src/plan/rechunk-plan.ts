/**
 * Multistage rechunk planning (after Cubed's use of the rechunker algorithm),
 * for regular chunk grids: a pure function of shapes, chunks and memory.
 * @module
 */

/** Inputs of {@link planRechunk}. All sizes are in bytes except shapes and chunks (elements). */
export interface RechunkPlanInput {
  shape: readonly number[];
  itemsize: number;
  /** Chunks of the array being rechunked. */
  source: readonly number[];
  /** Chunks wanted. */
  target: readonly number[];
  /** Memory a task may use for data: allowedMem − reservedMem. */
  available: number;
  /** Extra copies made reading a chunk of the source array, and of an intermediate. */
  sourceReadCopies: number;
  readCopies: number;
  /** Extra copies made writing a chunk of an intermediate, and of the final array. */
  writeCopies: number;
  lastWriteCopies: number;
  /** Smallest intermediate chunk worth writing. Default: the per-copy budget / 20. */
  minMem?: number;
  /** Most copy ops. Default 100. */
  maxStages?: number;
}

/** One copy op: it writes an array with `chunks`, each task assembling a `region` (a multiple of `chunks`). */
export interface RechunkCopy {
  chunks: number[];
  region: number[];
  /** Projected data memory of one task (without reservedMem). */
  mem: number;
  /** False when the region had to shrink to one output chunk to fit, so input chunks may be read more than once. */
  aligned: boolean;
}

/** The copy ops of a rechunk, in order; the last one writes the target chunks. */
export interface RechunkPlan {
  copies: RechunkCopy[];
  /** Per-copy budget: available / (3 + readCopies + writeCopies). */
  maxMem: number;
  minMem: number;
  /** Chunk reads plus chunk writes of the whole plan (what extra stages are traded against). */
  ioOps: number;
  /** True when every copy fits `available` (false only when a source or target chunk alone is too big). */
  fits: boolean;
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Elements of one chunk (edge-capped at the shape). */
function elems(chunks: readonly number[], shape: readonly number[]): number {
  return prod(chunks.map((c, d) => Math.min(c, Math.max(shape[d]!, 1))));
}

/**
 * The region a task covers along one axis when it reads chunks `prev` and
 * writes chunks `out`: a multiple of `out` holding whole `prev` chunks when
 * that is cheap, else `out`-aligned around one `prev` chunk; the whole axis
 * when it is that big.
 */
function regionAxis(prev: number, out: number, dim: number): number {
  const whole = Math.max(1, Math.ceil(dim / out)) * out;
  const m = Math.max(prev, out);
  if (m >= dim) return whole;
  const l = (prev / gcd(prev, out)) * out;
  if (l <= 2 * m) return Math.min(l, whole);
  return Math.min(Math.ceil(m / out) * out, whole);
}

/** Number of (task, input chunk) pairs along one axis: tasks of `region` reading chunks of `chunk`. */
function pairsAxis(region: number, chunk: number, dim: number): number {
  const tasks = Math.ceil(dim / region);
  if (tasks > 10_000) return Math.ceil(tasks * (region / chunk + 1));
  let n = 0;
  for (let k = 0; k < tasks; k++) {
    const lo = k * region;
    const hi = Math.min(dim, lo + region);
    n += Math.floor((hi - 1) / chunk) - Math.floor(lo / chunk) + 1;
  }
  return n;
}

/** Values from `from` to `to` (inclusive, `steps` + 1 of them), geometric, each a multiple of the one before. */
function chainUp(from: number, to: number, steps: number, dim: number): number[] {
  const out = [from];
  for (let k = 1; k < steps; k++) {
    const target = from * (to / from) ** (k / steps);
    const prev = out[k - 1]!;
    out.push(Math.min(dim, prev * Math.max(1, Math.round(target / prev))));
  }
  if (steps > 0) out.push(to);
  return out;
}

/** Values from `from` down to `to`, geometric, each a multiple of the one after (built from the bottom). */
function chainDown(from: number, to: number, steps: number, dim: number): number[] {
  return chainUp(to, from, steps, dim).reverse();
}

/** Grows `chunks` by integer factors on `axes` (last axis first) up to `limits`, staying within `budget` elements. */
function consolidate(chunks: readonly number[], shape: readonly number[], axes: readonly number[], limits: readonly number[], budget: number): number[] {
  const out = [...chunks];
  for (let k = axes.length - 1; k >= 0; k--) {
    const d = axes[k]!;
    const rest = elems(out, shape) / Math.min(out[d]!, Math.max(shape[d]!, 1));
    const byMem = Math.floor(budget / rest / out[d]!);
    const byLimit = Math.floor(Math.min(limits[d]!, shape[d]!) / out[d]!);
    const f = Math.max(1, Math.min(byMem, byLimit));
    out[d] = Math.min(out[d]! * f, Math.max(shape[d]!, 1));
  }
  return out;
}

/**
 * Plans a rechunk as a sequence of copy ops whose tasks each fit in memory,
 * regardless of array size. Per-copy budget B = available / (3 + readCopies +
 * writeCopies). One op if a region holding whole source and target chunks fits
 * B; else the target chunks are grown (on axes where they are smaller than the
 * source) and the source chunks grown (on axes where they are smaller than the
 * target) within B, and n = 2, 3, … ops move between them: axes that shrink do
 * so one op ahead of axes that grow, each geometrically, so every task's region
 * lies between the grown source and target chunks in size. The first n whose
 * intermediate chunks are all at least `minMem` wins; more ops stop being
 * tried when they would add chunk reads and writes (at most 100).
 *
 * @example
 * ```ts
 * const p = planRechunk({ shape: [16384, 16384], itemsize: 8, source: [128, 16384], target: [16384, 128],
 *   available: 100e6, sourceReadCopies: 0, readCopies: 1, writeCopies: 1, lastWriteCopies: 1 });
 * p.copies.map((c) => c.chunks); // e.g. [[128, 1024], [1024, 128], [16384, 128]]
 * ```
 */
export function planRechunk(input: RechunkPlanInput): RechunkPlan {
  const { shape, itemsize, source, target, available } = input;
  const nd = shape.length;
  const r0 = input.sourceReadCopies;
  const r = Math.max(input.readCopies, r0);
  const w = input.writeCopies;
  const wLast = Math.max(input.lastWriteCopies, w);
  const maxMem = Math.floor(available / (3 + r + Math.max(w, wLast)));
  const minMem = input.minMem ?? Math.floor(maxMem / 20);
  const B = Math.max(1, Math.floor(maxMem / itemsize));
  const Bl = Math.max(1, Math.floor(available / (3 + r + wLast) / itemsize));
  const bytes = (c: readonly number[]): number => elems(c, shape) * itemsize;

  const opMem = (prev: readonly number[], out: readonly number[], region: readonly number[], first: boolean, last: boolean): number => {
    const multi = region.some((g, d) => Math.min(g, shape[d]!) > Math.min(out[d]!, shape[d]!));
    return bytes(prev) * (1 + (first ? r0 : input.readCopies)) + bytes(region) + bytes(out) * ((multi ? 1 : 0) + (last ? wLast : w));
  };
  const build = (chain: readonly (readonly number[])[]): RechunkPlan => {
    const copies: RechunkCopy[] = [];
    let ioOps = 0;
    for (let j = 1; j < chain.length; j++) {
      const prev = chain[j - 1]!;
      const out = [...chain[j]!];
      const first = j === 1;
      const last = j === chain.length - 1;
      // a region holding whole input chunks when it fits; else one output chunk (inputs read more than once)
      let region = out.map((c, d) => regionAxis(prev[d]!, c, shape[d]!));
      let mem = opMem(prev, out, region, first, last);
      let aligned = true;
      if (mem > available) {
        region = [...out];
        mem = opMem(prev, out, region, first, last);
        aligned = false;
      }
      copies.push({ chunks: out, region, mem, aligned });
      ioOps += prod(region.map((g, d) => pairsAxis(g, prev[d]!, shape[d]!)));
      ioOps += prod(out.map((c, d) => Math.ceil(shape[d]! / c)));
    }
    return { copies, maxMem, minMem, ioOps, fits: copies.every((c) => c.mem <= available) };
  };

  const src = [...source];
  const tgt = [...target];
  if (src.every((c, d) => c === tgt[d])) return build([src]);
  const direct = build([src, tgt]);
  if ((direct.fits && direct.copies[0]!.aligned) || prod(shape) === 0) return direct;

  const grow = [...Array(nd).keys()].filter((d) => tgt[d]! > src[d]! && src[d]! < shape[d]!);
  const shrink = [...Array(nd).keys()].filter((d) => tgt[d]! < src[d]! && tgt[d]! < shape[d]!);
  // write side: target grown towards the source on shrinking axes; read side: source grown towards the target
  const W = consolidate(tgt, shape, shrink, src, Bl);
  const R = consolidate(src, shape, grow, W, B);

  let best: RechunkPlan | undefined;
  let prevFeasible: RechunkPlan | undefined;
  const maxStages = input.maxStages ?? 100;
  for (let n = 2; n <= maxStages; n++) {
    const steps = n - 1;
    const g = grow.map((d) => chainUp(R[d]!, W[d]!, steps, shape[d]!));
    const h = shrink.map((d) => chainDown(src[d]!, W[d]!, steps, shape[d]!));
    const chain: number[][] = [src];
    for (let j = 1; j < n; j++) {
      const y = [...src];
      grow.forEach((d, k) => (y[d] = g[k]![j - 1]!));
      shrink.forEach((d, k) => (y[d] = h[k]![j]!));
      chain.push(y);
    }
    chain.push(tgt);
    // drop repeated stages (rounding can make neighbours equal)
    const dedup = chain.filter((c, j) => j === 0 || j === chain.length - 1 || c.some((v, d) => v !== chain[j - 1]![d]));
    const plan = build(dedup);
    if (!plan.fits) continue;
    const smallest = Math.min(...dedup.slice(1, -1).map(bytes));
    if (smallest >= minMem) return plan;
    if (prevFeasible && plan.ioOps > prevFeasible.ioOps) return prevFeasible;
    prevFeasible = plan;
    if (!best || plan.ioOps < best.ioOps) best = plan;
  }
  return best && (!direct.fits || best.ioOps < direct.ioOps) ? best : direct;
}
