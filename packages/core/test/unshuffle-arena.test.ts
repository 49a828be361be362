// WebAssembly arenas (storage/codecs/unshuffle-wasm.ts): buffers in memory of their own into which
// Blosc blocks are un-shuffled in place. Their memory must never grow (views would be detached and
// read as empty), they are reused for the next task of the same op and dropped for other sizes.
import { describe, expect, it } from "vitest";
import { releaseArena, simdUnshuffler, takeArena, unshufflerFor } from "../src/storage/codecs/unshuffle-wasm.js";

/** Byte k of element i of a shuffled block of `n` elements of `typesize` bytes. */
function shuffled(n: number, typesize: number, value: (i: number, k: number) => number): Uint8Array {
  const out = new Uint8Array(n * typesize);
  for (let k = 0; k < typesize; k++) for (let i = 0; i < n; i++) out[k * n + i] = value(i, k);
  return out;
}

describe("un-shuffle arenas", () => {
  it("un-shuffle in place, as the thread's un-shuffler does into an ordinary buffer", () => {
    expect(simdUnshuffler()).not.toBeNull();
    const n = 4096 + 7;
    for (const typesize of [2, 4, 8] as const) {
      const block = shuffled(n, typesize, (i, k) => (i * 31 + k * 7) & 255);
      const arena = takeArena(3 * n * typesize, n * typesize)!;
      const into = arena.subarray(n * typesize, 2 * n * typesize);
      const u = unshufflerFor(into)!;
      expect(u).not.toBe(simdUnshuffler());
      u.planes(block.length).set(block);
      u.unshuffle(block.length, typesize, into, 0);
      const plain = new Uint8Array(block.length);
      const g = unshufflerFor(plain)!;
      expect(g).toBe(simdUnshuffler());
      g.planes(block.length).set(block);
      g.unshuffle(block.length, typesize, plain, 0);
      expect(Buffer.from(into).equals(Buffer.from(plain)), `typesize ${typesize}`).toBe(true);
      for (let i = 0; i < 50; i++) for (let k = 0; k < typesize; k++) expect(into[i * typesize + k]).toBe((i * 31 + k * 7) & 255);
      releaseArena(arena);
    }
  });

  it("never grow: a block larger than the arena was made for is refused, and its views stay valid", () => {
    const arena = takeArena(1 << 16, 1 << 12)!;
    arena.fill(3);
    const u = unshufflerFor(arena)!;
    expect(() => u.planes(1 << 20)).toThrow(/larger than this arena's scratch/);
    expect(arena.length).toBe(1 << 16);
    expect(arena[100]).toBe(3);
    releaseArena(arena);
  });

  it("are reused for the same size and dropped when a task asks for another", () => {
    const a = takeArena(1 << 16, 1 << 12)!;
    releaseArena(a);
    const again = takeArena(1 << 16, 1 << 12)!;
    expect(again).toBe(a);
    releaseArena(again);
    const other = takeArena(1 << 17, 1 << 12)!;
    expect(other).not.toBe(a);
    releaseArena(other);
    const fresh = takeArena(1 << 16, 1 << 12)!;
    expect(fresh).not.toBe(a); // dropped on the miss for the other size
    expect(fresh.buffer).not.toBe(a.buffer);
    releaseArena(fresh);
  });
});
