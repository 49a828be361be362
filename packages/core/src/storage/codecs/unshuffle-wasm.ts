/**
 * Blosc byte un-shuffle for typesizes 2, 4 and 8 with WebAssembly SIMD (128-bit vectors).
 * The module is assembled here, at load time, from a few instructions (no binary is shipped):
 * one kernel per typesize that loads 16 bytes from each of the `typesize` byte planes (bytes k
 * of 16 consecutive elements) and interleaves them, 1, 2 then 4 bytes at a time, with
 * `i8x16.shuffle`, into the 16 whole elements. Blosc streams are decoded straight into the
 * module's memory; the kernel writes the elements to a small slice of that memory, which is
 * copied out to the destination while still in cache, or, for a destination in an *arena*
 * (WebAssembly memory of its own holding a kernel's buffers, {@link takeArena}), straight into it.
 *
 * Where WebAssembly SIMD is missing, {@link simdUnshuffler} returns null and callers use the
 * plain TypeScript un-shuffle.
 *
 * @module
 */

import { countAllocation } from "../../dtypes/alloc-stats.js";
import {
  I32, I32_ADD, I32_MUL, I32_SUB, MODULE_HEADER, PAGE, V128, type WasmApi, type WasmMemory, functionBody, i32Const,
  i8x16Shuffle, localGet, localSet, localTee, name, section, v128Load, v128Store, vector, wasmApi,
} from "../../wasm/assemble.js";

/**
 * Shuffle lanes that interleave `unit`-byte units of two vectors a and b: the low half
 * (a0 b0 a1 b1 …, from the first 8 bytes of each) or the high half (from the last 8 bytes).
 */
function interleave(unit: number, high: boolean): number[] {
  const lanes: number[] = [];
  const base = high ? 8 : 0;
  for (let j = 0; j < 8 / unit; j++) {
    for (let k = 0; k < unit; k++) lanes.push(base + j * unit + k);
    for (let k = 0; k < unit; k++) lanes.push(16 + base + j * unit + k);
  }
  return lanes;
}

/**
 * Interleaving stages per typesize: each step `[a, b, lo, hi]` interleaves vectors a and b of
 * the current bank into vectors lo (low halves) and hi (high halves) of the other bank. Stage
 * s works on units of 2^s bytes. After the last stage vector k holds elements 16/T·k onwards.
 */
const STAGES: Record<2 | 4 | 8, [number, number, number, number][][]> = {
  2: [[[0, 1, 0, 1]]],
  4: [
    [
      [0, 1, 0, 1],
      [2, 3, 2, 3],
    ],
    [
      [0, 2, 0, 1],
      [1, 3, 2, 3],
    ],
  ],
  8: [
    [
      [0, 1, 0, 1],
      [2, 3, 2, 3],
      [4, 5, 4, 5],
      [6, 7, 6, 7],
    ],
    [
      [0, 2, 0, 1],
      [1, 3, 2, 3],
      [4, 6, 4, 5],
      [5, 7, 6, 7],
    ],
    [
      [0, 4, 0, 1],
      [1, 5, 2, 3],
      [2, 6, 4, 5],
      [3, 7, 6, 7],
    ],
  ],
};

/**
 * The body of `unshuffle(src, stride, dst, count)`: plane k of 16 elements starts at
 * `src + k * stride`; writes `count` (a positive multiple of 16) elements to `dst`.
 */
function kernel(typesize: 2 | 4 | 8): number[] {
  const SRC = 0;
  const STRIDE = 1;
  const DST = 2;
  const COUNT = 3;
  const FIRST_VECTOR = 4; // two banks of `typesize` v128 locals
  const code: number[] = [];
  code.push(0x03, 0x40); // loop (no result)
  let cur = Array.from({ length: typesize }, (_, k) => FIRST_VECTOR + k);
  let other = cur.map((l) => l + typesize);
  for (let k = 0; k < typesize; k++) {
    code.push(...localGet(SRC));
    if (k > 0) code.push(...localGet(STRIDE), ...i32Const(k), I32_MUL, I32_ADD);
    code.push(...v128Load(0), ...localSet(cur[k]!));
  }
  let unit = 1;
  for (const stage of STAGES[typesize]) {
    for (const [a, b, lo, hi] of stage) {
      code.push(...localGet(cur[a]!), ...localGet(cur[b]!), ...i8x16Shuffle(interleave(unit, false)), ...localSet(other[lo]!));
      code.push(...localGet(cur[a]!), ...localGet(cur[b]!), ...i8x16Shuffle(interleave(unit, true)), ...localSet(other[hi]!));
    }
    [cur, other] = [other, cur];
    unit *= 2;
  }
  for (let k = 0; k < typesize; k++) code.push(...localGet(DST), ...localGet(cur[k]!), ...v128Store(16 * k));
  code.push(...localGet(SRC), ...i32Const(16), I32_ADD, ...localSet(SRC));
  code.push(...localGet(DST), ...i32Const(16 * typesize), I32_ADD, ...localSet(DST));
  code.push(...localGet(COUNT), ...i32Const(16), I32_SUB, ...localTee(COUNT));
  code.push(0x0d, 0x00); // br_if 0: loop while count != 0
  code.push(0x0b); // end loop
  code.push(0x0b); // end function
  return functionBody([[2 * typesize, V128]], code);
}

/** The module: one memory ("m") and the kernels "u2", "u4", "u8", each (i32, i32, i32, i32) -> (). */
function assemble(): Uint8Array {
  const funcType = [0x60, ...vector([[I32], [I32], [I32], [I32]]), 0x00];
  return Uint8Array.from([
    ...MODULE_HEADER,
    ...section(1, vector([funcType])),
    ...section(3, vector([[0x00], [0x00], [0x00]])),
    ...section(5, vector([[0x00, 0x01]])), // memory: min 1 page, no maximum
    ...section(
      7,
      vector([
        [...name("m"), 0x02, 0x00],
        [...name("u2"), 0x00, 0x00],
        [...name("u4"), 0x00, 0x01],
        [...name("u8"), 0x00, 0x02],
      ]),
    ),
    ...section(10, vector([kernel(2), kernel(4), kernel(8)])),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Instantiation

type Kernel = (src: number, stride: number, dst: number, count: number) => void;

/** Elements un-shuffled per kernel call: the output slice (≤ 64 KiB) stays in cache. */
const SLICE_ELEMENTS = 8192;

/** Un-shuffles Blosc blocks whose byte planes were written into {@link SimdUnshuffler.planes}. */
export interface SimdUnshuffler {
  /**
   * A view of the module's memory, at least `bsize` bytes long, where a block's `typesize`
   * byte planes (then its `bsize % typesize` trailing bytes) go before {@link unshuffle}.
   * Call it again for every block: growing the memory replaces the view.
   */
  planes(bsize: number): Uint8Array;
  /** Un-shuffles the `bsize`-byte block in {@link planes} into `dst` from `d0`. */
  unshuffle(bsize: number, typesize: 2 | 4 | 8, dst: Uint8Array, d0: number): void;
}

class WasmUnshuffler implements SimdUnshuffler {
  private view: Uint8Array;

  /** `scratch`: bytes an arena's memory keeps for planes (it never grows: that would detach the arena's views). */
  constructor(
    private readonly memory: WasmMemory,
    private readonly kernels: Record<2 | 4 | 8, Kernel>,
    private readonly scratch?: number,
  ) {
    this.view = new Uint8Array(memory.buffer);
  }

  static outAt(bsize: number): number {
    return (bsize + 15) & ~15;
  }

  /** Scratch bytes a block of `bsize` bytes needs: its planes, then a slice of output. */
  static scratchFor(bsize: number): number {
    return WasmUnshuffler.outAt(bsize) + SLICE_ELEMENTS * 8;
  }

  planes(bsize: number): Uint8Array {
    const need = WasmUnshuffler.scratchFor(bsize);
    if (this.scratch !== undefined && need > this.scratch) {
      throw new Error(`internal: a Blosc block of ${bsize} bytes is larger than this arena's scratch of ${this.scratch}`);
    }
    if (this.memory.buffer.byteLength < need) {
      this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / PAGE));
      this.view = new Uint8Array(this.memory.buffer);
    }
    return this.view;
  }

  /** The module's memory. */
  get wasmMemory(): WasmMemory {
    return this.memory;
  }

  /** Runs the kernel: `count` (a multiple of 16) elements from planes at `src` (`stride` apart) to `dst`, addresses in this memory. */
  run(typesize: 2 | 4 | 8, src: number, stride: number, dst: number, count: number): void {
    if (count > 0) this.kernels[typesize](src, stride, dst, count);
  }

  unshuffle(bsize: number, typesize: 2 | 4 | 8, dst: Uint8Array, d0: number): void {
    const mem = this.planes(bsize);
    const n = Math.floor(bsize / typesize);
    const n16 = n - (n % 16);
    const out = WasmUnshuffler.outAt(bsize);
    const run = this.kernels[typesize];
    if (dst.buffer === this.memory.buffer) {
      // the destination is in this memory (an arena): the kernel writes the elements in place
      if (n16 > 0) run(0, n, dst.byteOffset + d0, n16);
    } else {
      for (let e = 0; e < n16; e += SLICE_ELEMENTS) {
        const count = Math.min(SLICE_ELEMENTS, n16 - e);
        run(e, n, out, count);
        dst.set(mem.subarray(out, out + count * typesize), d0 + e * typesize);
      }
    }
    for (let k = 0; k < typesize; k++) {
      let s = k * n + n16;
      let d = d0 + n16 * typesize + k;
      for (let e = n16; e < n; e++) {
        dst[d] = mem[s++]!;
        d += typesize;
      }
    }
    for (let i = n * typesize; i < bsize; i++) dst[d0 + i] = mem[i]!;
  }
}

let instance: SimdUnshuffler | null | undefined;

/**
 * The WebAssembly SIMD un-shuffler (one per thread, created on first use), or null where
 * WebAssembly or its SIMD extension is unavailable.
 *
 * @example
 * ```ts
 * const simd = simdUnshuffler();
 * if (simd) {
 *   simd.planes(block.length).set(block);          // a shuffled block of float64
 *   simd.unshuffle(block.length, 8, out, 0);
 * }
 * ```
 */
export function simdUnshuffler(): SimdUnshuffler | null {
  if (instance !== undefined) return instance;
  instance = instantiate();
  return instance;
}

let compiled: { api: WasmApi; module: object } | null | undefined;

/** A new instance of the module (its own memory) as an un-shuffler, or null without WebAssembly SIMD. */
function instantiate(scratch?: number): WasmUnshuffler | null {
  if (compiled === undefined) {
    compiled = null;
    const api = wasmApi();
    try {
      const bytes = assemble();
      if (api !== undefined && api.validate(bytes)) compiled = { api, module: new api.Module(bytes) };
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const { exports } = new compiled.api.Instance(compiled.module);
  const memory = exports.m as WasmMemory;
  if (scratch !== undefined) memory.grow(Math.ceil(scratch / PAGE));
  return new WasmUnshuffler(memory, { 2: exports.u2 as Kernel, 4: exports.u4 as Kernel, 8: exports.u8 as Kernel }, scratch);
}

/** The un-shufflers of arenas, by the memory their buffers live in. */
const arenaUnshufflers = new WeakMap<ArrayBufferLike, WasmUnshuffler>();
/** Free arenas on this thread (most recently used last). */
const freeArenas: Uint8Array[] = [];
/** Free arenas kept for reuse: one per fold a thread runs at once (a worker thread runs one task at a time). */
const KEEP_ARENAS = 2;

/**
 * Buffers of `bytes` bytes in WebAssembly memory of their own (an *arena*), into which Blosc
 * blocks of at most `maxBlock` bytes are un-shuffled in place: the SIMD kernel writes the
 * elements straight into the buffer, with no copy out of WebAssembly memory. The arena's
 * memory never grows (it holds scratch for the block planes, then the buffers), so views of
 * it stay valid. Null where WebAssembly SIMD is missing: use ordinary buffers then. Give it
 * back with {@link releaseArena}; a thread keeps up to two free arenas for its next tasks of the
 * same op, and drops them when a task asks for another size.
 *
 * @example
 * ```ts
 * const slots = takeArena(40 << 20, 1 << 20) ?? takeBuffer(40 << 20);
 * await pieces.read(0, slots.subarray(0, 1 << 20)); // decoded in place
 * ```
 */
export function takeArena(bytes: number, maxBlock: number): Uint8Array | null {
  const scratch = Math.ceil(WasmUnshuffler.scratchFor(maxBlock) / PAGE) * PAGE;
  for (let k = freeArenas.length - 1; k >= 0; k--) {
    const a = freeArenas[k]!;
    if (a.byteLength === bytes && a.byteOffset >= scratch) {
      freeArenas.splice(k, 1);
      return a;
    }
  }
  // a miss: the free arenas are another op's sizes; drop them (their memory goes with them) before mapping more
  freeArenas.length = 0;
  const u = instantiate(scratch + bytes);
  if (u === null) return null;
  countAllocation(scratch + bytes);
  const memory = u.planes(0).buffer;
  arenaUnshufflers.set(memory, u);
  return new Uint8Array(memory, scratch, bytes);
}

/**
 * Gives an arena from {@link takeArena} back (no view of it may be used after).
 *
 * @example
 * ```ts
 * releaseArena(slots);
 * ```
 */
export function releaseArena(data: Uint8Array): void {
  if (!arenaUnshufflers.has(data.buffer)) return;
  freeArenas.push(data);
  if (freeArenas.length > KEEP_ARENAS) freeArenas.shift();
}

/**
 * The WebAssembly memory of an arena from {@link takeArena}, and the bytes before the arena
 * (from address 0) that hold the Blosc planes scratch. That scratch is only written
 * synchronously (a block is decoded and un-shuffled in one call), so another kernel of the
 * same memory may use it as scratch of its own within one synchronous call, as the compiled
 * folds of `kernels/fold-wasm.ts` do. Undefined when `arena` is not an arena.
 *
 * @example
 * ```ts
 * const { memory, bytes } = arenaScratch(takeArena(40 << 20, 1 << 20)!)!;
 * ```
 */
export function arenaScratch(arena: Uint8Array): { memory: WasmMemory; bytes: number } | undefined {
  const u = arenaUnshufflers.get(arena.buffer);
  return u === undefined ? undefined : { memory: u.wasmMemory, bytes: arena.byteOffset };
}

/**
 * Un-shuffles elements `[from, from + count)` of a block stored as byte planes at the start of
 * `planes` (plane k holds byte k of each of its `elements` elements, see
 * `BytePieces.planes`) into `dst` from byte `d0`, when both are views of one arena's memory
 * ({@link takeArena}): the SIMD kernel writes 16 elements at a time in place, the last few are
 * copied byte by byte. A reader un-shuffles each slice just before it uses it, so the elements
 * are still in cache. Returns false, having written nothing, when the views are not in one arena.
 *
 * @example
 * ```ts
 * await pieces.planes!.read(j, slot);
 * unshuffleSlice(slot, pieces.pieceBytes / 8, 8, 0, 4096, hot, 0);
 * ```
 */
export function unshuffleSlice(planes: Uint8Array, elements: number, typesize: 2 | 4 | 8, from: number, count: number, dst: Uint8Array, d0: number): boolean {
  const u = arenaUnshufflers.get(planes.buffer);
  if (u === undefined || dst.buffer !== planes.buffer || from < 0 || count < 0 || from + count > elements) return false;
  const n16 = count - (count % 16);
  u.run(typesize, planes.byteOffset + from, elements, dst.byteOffset + d0, n16);
  for (let e = from + n16; e < from + count; e++) {
    const d = d0 + (e - from) * typesize;
    for (let k = 0; k < typesize; k++) dst[d + k] = planes[k * elements + e]!;
  }
  return true;
}

/**
 * The un-shuffler for blocks decoded into `dst`: the arena's own when `dst` lives in an arena
 * (it writes in place), else the thread's {@link simdUnshuffler}.
 *
 * @example
 * ```ts
 * unshufflerFor(out)?.unshuffle(bsize, 8, out, 0);
 * ```
 */
export function unshufflerFor(dst: Uint8Array): SimdUnshuffler | null {
  return arenaUnshufflers.get(dst.buffer) ?? simdUnshuffler();
}
