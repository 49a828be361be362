import { describe, expect, it } from "vitest";
import { beginPoolTask, pooledFreeBytes, releaseBuffer, takeBuffer } from "../src/storage/buffer-pool.js";

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

  it("drops the buffers kept for other sizes when a later task asks for a new size", () => {
    beginPoolTask();
    const a = takeBuffer(3 << 20);
    releaseBuffer(a.buffer);
    beginPoolTask();
    takeBuffer(5 << 20); // another op's chunks
    expect(takeBuffer(3 << 20).buffer).not.toBe(a.buffer);
  });
});

describe("buffer pool across tasks", () => {
  it("keeps every size a task used, so a chunk and its frame do not evict each other", () => {
    beginPoolTask();
    const chunk = takeBuffer(6 << 20);
    const frame = takeBuffer((6 << 20) + 16); // a miss for a new size while chunk is lent
    releaseBuffer(frame.buffer);
    const chunk2 = takeBuffer(6 << 20); // a miss (chunk is lent): must not drop the free frame
    const frame2 = takeBuffer((6 << 20) + 16);
    expect(frame2.buffer).toBe(frame.buffer);
    releaseBuffer(chunk.buffer);
    releaseBuffer(chunk2.buffer);
    releaseBuffer(frame2.buffer);
    // the next task of the same op gets all three back
    beginPoolTask();
    const got = [takeBuffer(6 << 20).buffer, takeBuffer(6 << 20).buffer, takeBuffer((6 << 20) + 16).buffer];
    expect(new Set(got)).toEqual(new Set([chunk.buffer, chunk2.buffer, frame.buffer]));
    got.forEach((b) => releaseBuffer(b));
    expect(pooledFreeBytes()).toBe(3 * (6 << 20) + 16);
    // a task of another op: its first miss drops the sizes it does not use
    beginPoolTask();
    const other = takeBuffer(7 << 20);
    expect(pooledFreeBytes()).toBe(0);
    releaseBuffer(other.buffer);
    expect(pooledFreeBytes()).toBe(7 << 20);
  });
});
