/** A seeded generator for property and differential tests (mulberry32): the same seed, the same cases. */
export interface Seeded {
  /** Uniform in [0, 1). */
  rand(): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** One of `xs`. */
  pick<T>(xs: readonly T[]): T;
}

/**
 * A generator whose sequence is a pure function of `seed`.
 *
 * @example
 * ```ts
 * const { rand, int, pick } = seeded(20261206);
 * const shape = [int(0, 4), int(1, 9)];
 * ```
 */
export function seeded(seed: number): Seeded {
  let state = seed >>> 0;
  const rand = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    rand,
    int: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(rand() * xs.length)]!,
  };
}
