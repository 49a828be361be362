// A ThreadsExecutor starts its worker threads when it is constructed, and they load core, the
// codecs and the kernel modules this process trusts before any compute; `ready()` resolves once
// every thread has. Neither keeps the process alive once it is done.

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BroadcastChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { CubedArray, Spec, blockwise, compute, loadKernelModules, random } from "@cubed-ts/core";
import { ThreadsExecutor } from "../src/index.js";
import { tempDirs } from "../../core/test/helpers/temp-dirs.js";

const tmp = tempDirs();

/** Importing it in a worker thread announces the thread's id on this channel. */
const announce = new URL("./fixtures/announce.mjs", import.meta.url).href;

/** Thread ids announced on the fixture's channel, and a wait for `n` distinct ones (no timer: the test's timeout bounds it). */
function listen(): { ids: Set<number>; until: (n: number) => Promise<void>; close: () => void } {
  const channel = new BroadcastChannel("cubed-ts-test:announce");
  const ids = new Set<number>();
  const waiting: { n: number; resolve: () => void }[] = [];
  channel.onmessage = (e) => {
    ids.add((e as { data: { threadId: number } }).data.threadId);
    for (const w of waiting) if (ids.size >= w.n) w.resolve();
  };
  return {
    ids,
    until: (n) => (ids.size >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
    close: () => channel.close(),
  };
}

/** Each block filled with the id of the thread that ran it (the fixture's kernel). */
function threadIds(spec: Spec, blocks: number): CubedArray {
  const x = random.random([blocks, 2], { chunks: [1, 2], seed: 1, spec });
  const [l] = blockwise({
    label: "announced-thread-id",
    inputs: [{ lineage: x.lineage, map: { kind: "index", axes: [0, 1] }, access: "all" }],
    kernel: { kind: "named", name: "test/announced-thread-id", args: null },
    outputs: [{ shape: [blocks, 2], dtype: "float64", chunks: [1, 2] }],
  });
  return new CubedArray(l!, spec);
}

const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

describe("ThreadsExecutor start-up", () => {
  it("starts its threads at construction: before any compute they have loaded the kernel modules this process trusts", async () => {
    // trusted here (this process loaded it), so the executor's threads import it as they start
    await loadKernelModules([announce]);
    const heard = listen();
    closing.push(heard.close);
    const executor = new ThreadsExecutor({ maxWorkers: 2 });
    closing.push(() => executor.close());
    // no compute and no ready(): the constructor started both threads, which loaded the module
    await heard.until(2);
    expect(heard.ids.size).toBe(2);
    await executor.ready();
    // a compute then runs on exactly those threads (the module was not imported again: no new ids)
    const spec = new Spec({ workDir: tmp("cubed-start-up-"), allowedMem: "200MB", reservedMem: "20MB" });
    const [t] = await compute(threadIds(spec, 6), { executor });
    expect(new Set(Array.from(t!.data as Float64Array))).toEqual(heard.ids);
    expect(heard.ids.size).toBe(2);
  });

  it("ready() starts the threads the constructor did not (beyond one per core) and resolves when all have loaded", async () => {
    await loadKernelModules([announce]);
    const heard = listen();
    closing.push(heard.close);
    const n = availableParallelism() + 1;
    const executor = new ThreadsExecutor({ maxWorkers: n });
    closing.push(() => executor.close());
    await executor.ready();
    // every thread answered ready() after importing the module, so all n announce
    await heard.until(n);
    expect(heard.ids.size).toBe(n);
    const spec = new Spec({ workDir: tmp("cubed-start-up-"), allowedMem: "200MB", reservedMem: "20MB" });
    const [t] = await compute(threadIds(spec, 2 * n), { executor });
    for (const id of new Set(Array.from(t!.data as Float64Array))) expect(heard.ids.has(id)).toBe(true);
  });

  it("ready() rejects, rather than hanging, when the executor is closed while its threads start", async () => {
    const executor = new ThreadsExecutor({ maxWorkers: 2 });
    const outcome = executor.ready().then(() => undefined, (e: unknown) => e);
    await executor.close();
    expect(await outcome).toBeInstanceOf(Error);
    expect((await outcome as Error).message).toMatch(/^worker thread-\d failed to start: worker thread-\d exited with code \d+$/);
    // a later compute starts new threads
    const spec = new Spec({ workDir: tmp("cubed-start-up-"), allowedMem: "200MB", reservedMem: "20MB" });
    const x = random.random([4, 3], { chunks: [2, 3], seed: 2, spec });
    const [y] = await compute(x, { executor });
    expect(y!.data.length).toBe(12);
    await executor.close();
  });

  it("an awaited ready() holds the process until the threads are up; an unused, unclosed executor never keeps it alive", () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(dist), "build exec-threads first (the child process imports dist/)").toBe(true);
    const dir = tmp("cubed-ready-");
    // neither executor is closed: the process must still end on its own, after printing
    const script = `
      import { ThreadsExecutor } from ${JSON.stringify(dist)};
      new ThreadsExecutor({ maxWorkers: 2 });
      const executor = new ThreadsExecutor({ maxWorkers: 2 });
      await executor.ready();
      console.log("ready");
    `;
    // a file, not --eval: worker threads inherit the process's flags (--input-type would break them)
    const file = join(dir, "child.mjs");
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.signal, "killed at the timeout: the idle threads kept the process alive").toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("ready");
  });
});
