import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * A maker of temporary directories removed after the calling test file's tests (call it at the
 * file's top level).
 *
 * @example
 * ```ts
 * const tmp = tempDirs();
 * const dir = tmp("cubed-mem-"); // /tmp/cubed-mem-XXXXXX, gone after the file's tests
 * ```
 */
export function tempDirs(): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 })));
  return (prefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
