/**
 * Starts the worker locally under the real platform runtimes, for tests and
 * benchmark runs: `functions-framework` (Google Cloud Run functions' Node
 * framework) and `workerd` (Cloudflare Workers' runtime). Both come from npm
 * packages (`@google-cloud/functions-framework`, `workerd`) that must be
 * installed next to this one; nothing is downloaded at run time. Servers
 * listen on 127.0.0.1 only.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MissingDependencyError, WorkerRequestError, redactCause } from "@cubed-ts/core";
import { peerDependencies } from "../package.json";

/** A worker running locally under a platform runtime. */
export interface LocalPlatformWorker {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Everything the process printed so far (never contains the environment). */
  output(): string;
  stop(): Promise<void>;
}

/** Environment of the worker process: the secret, allowed prefixes and S3 settings (endpoint, keys, region). */
export type LocalWorkerEnv = Record<string, string>;

const require = createRequire(import.meta.url);

/** The runtimes `./local` starts: optional peer dependencies of this package, at the versions it is tested with. */
type LocalRuntime = "@google-cloud/functions-framework" | "workerd";

/**
 * Resolves an optional peer dependency, or throws a `MissingDependencyError`
 * that says what to install (only starting that runtime needs it).
 */
function resolveFrom(pkg: LocalRuntime, what: string): string {
  try {
    return require.resolve(pkg);
  } catch (err) {
    const spec = `${pkg}@${peerDependencies[pkg]}`;
    throw new MissingDependencyError(
      `${what} needs ${pkg}, an optional peer dependency of @cubed-ts/exec-http that is not installed: run \`npm install --save-dev ${spec}\`.`,
      pkg,
      { cause: redactCause(err) },
    );
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new WorkerRequestError(`The worker process exited with ${child.exitCode} before it was ready:\n${output().slice(-2000)}`, undefined, false);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new WorkerRequestError(`The worker at ${url} was not ready within ${timeoutMs} ms:\n${output().slice(-2000)}`, undefined, false);
}

function launch(cmd: string, args: string[], env: NodeJS.ProcessEnv, url: string, cleanup: () => void, timeoutMs: number): Promise<LocalPlatformWorker> {
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + String(d)).slice(-200_000)));
  child.stderr!.on("data", (d) => (out = (out + String(d)).slice(-200_000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    cleanup();
  };
  return waitReady(url, child, () => out, timeoutMs).then(
    () => ({ url, output: () => out, stop }),
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

/**
 * Runs the Cloud Run functions entry (`cubedWorker` of `@cubed-ts/exec-http/gcf`)
 * under the real `functions-framework` CLI, as Cloud Run does, on 127.0.0.1.
 *
 * @example
 * ```ts
 * const w = await startFunctionsFramework({ CUBED_WORKER_SECRET: secret, AWS_ENDPOINT_URL_S3: s3.endpoint });
 * const executor = new HttpExecutor({ endpoint: w.url, secret });
 * await w.stop();
 * ```
 */
export async function startFunctionsFramework(env: LocalWorkerEnv, options: { port?: number; timeoutMs?: number } = {}): Promise<LocalPlatformWorker> {
  // the package exports only its index (build/src/index.js); its CLI, main.js, sits beside it
  const main = join(resolveFrom("@google-cloud/functions-framework", "startFunctionsFramework"), "..", "main.js");
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "cubed-gcf-"));
  const entry = pathToFileURL(fileURLToPath(new URL("./gcf.js", import.meta.url))).href;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cubed-gcf-local", type: "module", main: "index.js" }));
  writeFileSync(join(dir, "index.js"), `export { cubedWorker } from ${JSON.stringify(entry)};\n`);
  // the framework listens on every interface; keep it on loopback
  const preload = join(dir, "loopback.cjs");
  writeFileSync(
    preload,
    `const http = require("node:http"); const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) { return typeof port === "number" ? listen.call(this, port, "127.0.0.1", ...rest.filter((a) => typeof a === "function")) : listen.call(this, port, ...rest); };\n`,
  );
  return launch(
    process.execPath,
    ["--require", preload, main, "--target=cubedWorker", "--signature-type=http", `--source=${dir}`, `--port=${port}`],
    { ...process.env, ...env, NODE_ENV: "production" },
    `http://127.0.0.1:${port}/`,
    () => rmSync(dir, { recursive: true, force: true }),
    options.timeoutMs ?? 30_000,
  );
}

function capnpString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Runs the Cloudflare Workers entry (`dist/workerd/worker.mjs`) under the real
 * `workerd` binary from the `workerd` npm package, on 127.0.0.1, with the
 * given bindings as text bindings and outbound fetches allowed to loopback
 * (where a local S3 stand-in listens) as well as the public network.
 *
 * @example
 * ```ts
 * const w = await startWorkerd({ CUBED_WORKER_SECRET: secret, S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" });
 * const executor = new HttpExecutor({ endpoint: w.url, secret });
 * ```
 */
export async function startWorkerd(bindings: LocalWorkerEnv, options: { port?: number; timeoutMs?: number } = {}): Promise<LocalPlatformWorker> {
  resolveFrom("workerd", "startWorkerd");
  const binary = (require("workerd") as { default: string }).default; // the binary of the platform package it depends on
  const bundle = fileURLToPath(new URL("./workerd/worker.mjs", import.meta.url));
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "cubed-workerd-"));
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .cubedWorker),
    (name = "net", network = (allow = ["public", "local", "private"])),
  ],
  sockets = [ (name = "http", address = ${capnpString(`127.0.0.1:${port}`)}, http = (), service = "main") ],
);
const cubedWorker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2026-06-01",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "net",
  bindings = [
${Object.entries(bindings).map(([k, v]) => `    (name = ${capnpString(k)}, text = ${capnpString(v)}),`).join("\n")}
  ],
);
`;
  copyFileSync(bundle, join(dir, "worker.mjs")); // embed paths are read relative to the config
  const file = join(dir, "config.capnp");
  writeFileSync(file, config, { mode: 0o600 });
  return launch(binary, ["serve", file, "--experimental"], { PATH: process.env.PATH ?? "" }, `http://127.0.0.1:${port}/`, () => rmSync(dir, { recursive: true, force: true }), options.timeoutMs ?? 30_000);
}
