#!/usr/bin/env node
// Entry point of `pnpm bench`: see cli-main.ts (kept separate so tests can call runCli in-process).
import { runCli } from "./cli-main.js";

// Ctrl-C: stop the run's tasks and remove its intermediates (runCli returns 130); a second Ctrl-C quits at once.
// Nothing is printed here: the progress bar redraws in place below, and runCli reports the interrupt.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new Error("interrupted (SIGINT)"));
});

const code = await runCli(process.argv.slice(2), { signal: interrupt.signal });
// after an interrupt nothing is worth waiting for (idle workers, local AWS stand-ins are cleaned up already)
if (code === 130) process.exit(code);
process.exitCode = code;
