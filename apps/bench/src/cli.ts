#!/usr/bin/env node
// Entry point of `pnpm bench`: see cli-main.ts (kept separate so tests can call runCli in-process).
import { runCli } from "./cli-main.js";

process.exitCode = await runCli(process.argv.slice(2));
