#!/usr/bin/env node
// Runs the local AWS stand-ins in their own process until SIGTERM/SIGINT or until stdin closes
// (the parent went away), and prints one JSON line {"ready":true,"env":{...}} with the endpoint
// variables once they listen. Container output goes to stderr. Used by spawnAwsLocal.
// Usage: node dist/server.js [--buckets a,b] [--step-functions] [--max-concurrency N]
import { parseArgs } from "node:util";
import { startAwsLocal } from "./stack.js";

const { values } = parseArgs({
  options: {
    buckets: { type: "string", default: "work" },
    "step-functions": { type: "boolean", default: false },
    "max-concurrency": { type: "string", default: "16" },
  },
});
const stack = await startAwsLocal({
  buckets: values.buckets.split(",").map((b) => b.trim()).filter((b) => b !== ""),
  stepFunctions: values["step-functions"],
  lambda: { maxConcurrency: Number(values["max-concurrency"]), onLog: (text) => void process.stderr.write(text) },
});
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await stack.stop().catch((err: Error) => process.stderr.write(`aws-local: stopping failed: ${err.message}\n`));
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.on("close", () => void stop());
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ ready: true, env: stack.env })}\n`);
