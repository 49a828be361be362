// A newcomer's program, compiled with strict tsc against the installed tarballs:
// HttpExecutor sends signed requests of the worker protocol to the Web-standard
// worker (createWorker) running in this process (its `fetch` calls the handler),
// with a plain directory as work dir. Neither @google-cloud/functions-framework nor
// workerd is installed: starting them fails with a MissingDependencyError.
// usage: node http-worker.js WORK_DIR   (prints JSON on stdout)
import { pathToFileURL } from "node:url";
import { Spec, compute, isCubedError, mean, multiply, random, type Callback } from "@cubed-ts/core";
import { HttpExecutor } from "@cubed-ts/exec-http";
import { startFunctionsFramework, startWorkerd } from "@cubed-ts/exec-http/local";
import { createWorker } from "@cubed-ts/exec-http/worker";

const [workDir] = process.argv.slice(2);
if (workDir === undefined) throw new Error("usage: http-worker.js WORK_DIR");

const secret = "consumer-test-secret-0123456789";
// the worker may touch nothing outside the work dir (plans name it as a file:// URL)
const handle = createWorker({ secret, allowedPrefixes: [pathToFileURL(workDir).href] });
const executor = new HttpExecutor({
  endpoint: "http://worker.invalid/",
  secret,
  tasksPerRequest: 2,
  fetch: (input, init) => handle(new Request(input, init)),
});
const spec = new Spec({ workDir, allowedMem: "200MB", reservedMem: "50MB" });
const workers = new Set<string>();
const tasks: Callback = { onTaskEnd: (e) => void workers.add(e.worker) };

const x = random.random([30, 8], { chunks: [5, 8], seed: 11, spec });
const [m, xs] = await compute(mean(multiply(x, x), { axis: 0 }), x, { executor, callbacks: [tasks] });

// what starting each local runtime does here (where neither optional peer is installed)
const missing: Record<string, { tag: string; dependency?: string; message: string }> = {};
const runtimes = [
  ["functions-framework", () => startFunctionsFramework({}, { timeoutMs: 5000 })],
  ["workerd", () => startWorkerd({}, { timeoutMs: 5000 })],
] as const;
for (const [name, start] of runtimes) {
  try {
    const w = await start();
    await w.stop();
    missing[name] = { tag: "started", message: "" };
  } catch (e) {
    if (!isCubedError(e)) throw e;
    missing[name] = { tag: e._tag, message: e.message, ...(isCubedError(e, "MissingDependencyError") ? { dependency: e.dependency } : {}) };
  }
}

console.log(JSON.stringify({
  mean: Array.from(m!.data as Float64Array),
  x: Array.from(xs!.data as Float64Array),
  shape: xs!.shape,
  requests: executor.stats.requests,
  workers: [...workers].sort(),
  missing,
}));
