// Micro-benchmark (not a test): decode zarr-python Blosc chunks with numcodecs.js (WASM, what
// zarrita uses by default) and with cubed-ts' decoder (src/storage/codecs/blosc.ts).
//
//   cd packages/core && node bench/blosc-decode.mjs [--runs 5] [--fresh]
//
// Two float64 chunks of shape (10, 1, 987, 1920) = 151.6 MB, written once by Debian's
// /usr/bin/python3 (zarr 2.13, numcodecs 0.11) with zarr-python's default compressor (Blosc lz4,
// clevel 5, byte shuffle) into $TMPDIR/cubed-ts-blosc-bench and reused (--fresh rewrites them):
// - "random": uniform [0, 1) values, the peers' quadratic-means data (stores at ~0.875 of raw;
//   7 of 8 byte planes are stored raw, the exponent plane is one long run);
// - "smooth": a smooth field plus small noise (stores at ~0.7; the LZ4 streams are many short
//   sequences, where the native LZ4 decoder is used).
// The decoder is bundled from source with tsup into node_modules/.cache first.
//
// "new output" is what zarrita gets: a fresh buffer per chunk, so every page is first touched
// (a page fault) by the decoder. "reused output" decodes into one preallocated buffer. The
// "floor" line allocates and fills a fresh buffer of the chunk's size: the part no decoder
// that returns a new buffer avoids. Times are medians (and best) of --runs, decoders interleaved.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";
import Blosc from "numcodecs/blosc";
import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";

const coreDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 5;
const fresh = args.includes("--fresh");

// 1. The chunks, as zarr-python writes them.
const dataDir = join(tmpdir(), "cubed-ts-blosc-bench");
const DATA = {
  random: "np.random.default_rng(0).random(z.shape)",
  smooth:
    "(lambda rng, y, x: 280 + 20 * np.sin(y / 50.0) * np.cos(x / 70.0) + 0.5 * np.sin(np.arange(10) / 3.0)[:, None, None, None]" +
    " + rng.normal(0, 0.01, z.shape))(np.random.default_rng(0), *np.mgrid[0:987, 0:1920])",
};
const stores = {};
for (const [name, expr] of Object.entries(DATA)) {
  const store = join(dataDir, `${name}.zarr`);
  stores[name] = store;
  if (!fresh && existsSync(join(store, "0.0.0.0"))) continue;
  mkdirSync(dataDir, { recursive: true });
  const script = `
import sys, numpy as np, zarr
z = zarr.open(sys.argv[1], mode="w", shape=(10, 1, 987, 1920), chunks=(10, 1, 987, 1920), dtype="f8")
z[:] = ${expr}
print(zarr.__version__, z.compressor)
`;
  const r = spawnSync("/usr/bin/python3", ["-c", script, store], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`/usr/bin/python3 failed: ${r.stderr}`);
  console.log(`wrote ${store} with zarr ${r.stdout.trim()}`);
}

// 2. cubed-ts' decoder, bundled from source.
const outDir = join(coreDir, "node_modules", ".cache", "blosc-bench");
await build({
  entry: { blosc: join(coreDir, "src/storage/codecs/blosc.ts"), lz4: join(coreDir, "src/storage/codecs/lz4-block.ts") },
  outDir,
  format: ["esm"],
  target: "node20",
  dts: false,
  sourcemap: false,
  clean: true,
  silent: true,
  config: false,
});
const fast = await import(pathToFileURL(join(outDir, "blosc.js")).href);
const lz4 = await import(pathToFileURL(join(outDir, "lz4.js")).href);

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const wasm = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 });
const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
console.log(`node ${process.version}; native LZ4 (lz4-napi) ${lz4.lz4NativeAvailable() ? "loaded" : "not available"}; ${runs} runs each (decoded bytes / time)`);

for (const [name, store] of Object.entries(stores)) {
  const file = readFileSync(join(store, "0.0.0.0"));
  const frame = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const h = fast.readBloscHeader(frame);
  console.log(
    `\n${name}: ${(h.nbytes / 1e6).toFixed(1)} MB decoded, ${(h.cbytes / 1e6).toFixed(1)} MB stored (ratio ${(h.cbytes / h.nbytes).toFixed(3)}), ` +
      `codec ${h.codec}, shuffle ${h.shuffle}, typesize ${h.typesize}, ${Math.ceil(h.nbytes / h.blocksize)} blocks of ${h.blocksize} B${h.dontSplit ? "" : ", split"}`,
  );
  if (!same(await wasm.decode(frame), fast.decodeBloscSync(frame))) throw new Error("the decoders disagree");

  // zarrita end to end (file read + decode + typed-array view): one array opened with zarrita's
  // own codec, one after registerFastBlosc(). Each loads its codec on first use.
  const ownLoader = zarr.registry.get("numcodecs.blosc");
  const arrWasm = await zarr.open.v2(zarr.root(new FileSystemStore(store)), { kind: "array" });
  await arrWasm.getChunk([0, 0, 0, 0]);
  fast.registerFastBlosc();
  const arrFast = await zarr.open.v2(zarr.root(new FileSystemStore(store)), { kind: "array" });
  fast.resetFastBloscCounters();
  await arrFast.getChunk([0, 0, 0, 0]);
  if (fast.fastBloscCounters().fast !== 1) throw new Error("registerFastBlosc did not take effect");
  zarr.registry.set("numcodecs.blosc", ownLoader);

  const out = new Uint8Array(h.nbytes);
  const cases = {
    "numcodecs.js 0.3.2 WASM Blosc.decode": () => wasm.decode(frame),
    "cubed-ts decodeBloscSync (new output)": () => fast.decodeBloscSync(frame),
    "cubed-ts decodeBloscSync (reused output)": () => fast.decodeBloscSync(frame, out),
    "cubed-ts, TypeScript LZ4 only (reused output)": () => {
      lz4.setLz4Native(false);
      fast.decodeBloscSync(frame, out);
      lz4.setLz4Native(true);
    },
    "cubed-ts, TypeScript un-shuffle (reused output)": () => {
      fast.setBloscSimd(false);
      fast.decodeBloscSync(frame, out);
      fast.setBloscSimd(true);
    },
    "floor: new buffer of that size, filled": () => new Uint8Array(h.nbytes).fill(1),
    "zarrita getChunk, its own WASM Blosc": () => arrWasm.getChunk([0, 0, 0, 0]),
    "zarrita getChunk after registerFastBlosc()": () => arrFast.getChunk([0, 0, 0, 0]),
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [label, fn] of Object.entries(cases)) {
      const t = performance.now();
      await fn();
      times[label].push(performance.now() - t);
    }
  }
  const gbps = (ms) => (h.nbytes / 1e9 / (ms / 1000)).toFixed(2);
  for (const [label, xs] of Object.entries(times)) {
    console.log(`  ${label.padEnd(48)} median ${median(xs).toFixed(1).padStart(7)} ms = ${gbps(median(xs)).padStart(5)} GB/s   best ${gbps(Math.min(...xs))} GB/s`);
  }
}
