import { describe, expect, it } from "vitest";
import { releaseBuffer, takeBuffer } from "../src/storage/buffer-pool.js";

describe("buffer pool", () => {
  it("hands a released buffer out again for the same size, and never one still in use", () => {
    const a = takeBuffer(2 << 20);
    const b = takeBuffer(2 << 20);
    expect(a.buffer).not.toBe(b.buffer);
    releaseBuffer(a.buffer);
    const c = takeBuffer(2 << 20);
    expect(c.buffer).toBe(a.buffer);
    expect(takeBuffer(2 << 20).buffer).not.toBe(b.buffer); // b was never released
    releaseBuffer(new ArrayBuffer(2 << 20)); // not ours: ignored
    expect(takeBuffer(2 << 20).buffer.byteLength).toBe(2 << 20);
  });

  it("drops the buffers kept for other sizes when a new size is asked for", () => {
    const a = takeBuffer(3 << 20);
    releaseBuffer(a.buffer);
    takeBuffer(5 << 20); // another op's chunks
    expect(takeBuffer(3 << 20).buffer).not.toBe(a.buffer);
  });
});
