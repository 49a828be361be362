/**
 * A tiny WebAssembly assembler: just the encodings the kernels assembled at load time need
 * (the Blosc un-shuffle in `storage/codecs/unshuffle-wasm.ts`, the compiled folds in
 * `kernels/fold-wasm.ts`). No binary is shipped; each module is built from these few helpers,
 * and typed locally because the project's TypeScript libs do not declare `WebAssembly`.
 * @module
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A vector: its length, then its items. */
export function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A section with its id and size. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A name (ASCII). */
export function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** The magic number and version every module starts with. */
export const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A function body from its locals (`[count, type]` runs) and code (which ends with `end`). */
export function functionBody(locals: [number, number][], code: number[]): number[] {
  const body = [...vector(locals.map(([n, t]) => [...uleb(n), t])), ...code];
  return [...uleb(body.length), ...body];
}

export const localGet = (i: number): number[] => [0x20, ...uleb(i)];
export const localSet = (i: number): number[] => [0x21, ...uleb(i)];
export const localTee = (i: number): number[] => [0x22, ...uleb(i)];
export const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_LT_U = 0x49;
export const I32_GT_U = 0x4b;
/** i32.load with alignment 4 and a constant offset. */
export const i32Load = (offset: number): number[] => [0x28, 0x02, ...uleb(offset)];
/** f64.load / f64.store with alignment 8 (a hint) and a constant offset. */
export const f64Load = (offset: number): number[] => [0x2b, 0x03, ...uleb(offset)];
export const f64Store = (offset: number): number[] => [0x39, 0x03, ...uleb(offset)];
/** f64.const: the value's 8 little-endian bytes. */
export function f64Const(v: number): number[] {
  const b = new Uint8Array(new Float64Array([v]).buffer);
  return [0x44, ...b];
}
/** v128.load / v128.store with alignment hint 1 (any address) and a constant offset. */
export const v128Load = (offset: number): number[] => [0xfd, 0x00, 0x00, ...uleb(offset)];
export const v128Store = (offset: number): number[] => [0xfd, 0x0b, 0x00, ...uleb(offset)];
/** v128.const with both f64 lanes `v`. */
export function f64x2Const(v: number): number[] {
  const b = new Uint8Array(new Float64Array([v, v]).buffer);
  return [0xfd, 0x0c, ...b];
}
export const i8x16Shuffle = (lanes: number[]): number[] => [0xfd, 0x0d, ...lanes];
/** A SIMD instruction by its opcode (after the 0xfd prefix). */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** `block` / `loop` / `if` with no result, `br`, `br_if`, `end`. */
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const IF = [0x04, 0x40];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
export const END = 0x0b;

/** The `WebAssembly` API as used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** This runtime's `WebAssembly`, if it has one. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Bytes per WebAssembly memory page. */
export const PAGE = 65536;
