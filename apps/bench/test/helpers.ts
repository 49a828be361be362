// What the CLI tests share: the built CLI (rebuilt when older than the sources), temporary
// directories removed after the file's tests, and a clean environment for spawned runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

export const pkgDir = fileURLToPath(new URL("..", import.meta.url));
export const cli = join(pkgDir, "dist", "cli.js");

/** Newest modification time under a directory. */
function newest(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
}

/** Builds the CLI if dist is missing or older than the sources, so a spawned CLI runs this code. */
export function ensureBuiltCli(): void {
  if (!existsSync(cli) || statSync(cli).mtimeMs < newest(join(pkgDir, "src"))) {
    const b = spawnSync("pnpm", ["exec", "tsup"], { cwd: pkgDir, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`building the bench CLI failed:\n${b.stdout}\n${b.stderr}`);
  }
}

/** A maker of temporary directories (named `prefix…`) that are removed after the calling file's tests. */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 5 });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

/**
 * The caller's environment without pnpm's script variables (so the CLI resolves paths against its
 * own cwd) and, with `withoutAws`, without any AWS_* settings (real credentials must not matter).
 */
export function cleanEnv(options: { withoutAws?: boolean } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0" };
  delete env.INIT_CWD;
  delete env.npm_lifecycle_event;
  if (options.withoutAws) for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
  return env;
}
