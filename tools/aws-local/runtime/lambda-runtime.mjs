// One "container" of the local Lambda stand-in: imports the deployed handler once (cold start)
// and runs events sent over IPC, one at a time, like a Lambda execution environment.
// Usage (spawned by local-lambda.ts): node lambda-runtime.mjs CODE_DIR HANDLER (e.g. index.handler)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [codeDir, handlerSpec] = process.argv.slice(2);
const dot = handlerSpec.lastIndexOf(".");
const file = handlerSpec.slice(0, dot);
const fn = handlerSpec.slice(dot + 1);
const candidates = [".mjs", ".js", ".cjs"].map((ext) => join(codeDir, file + ext));
const path = candidates.find((p) => existsSync(p));

let mod;
try {
  mod = await import(pathToFileURL(path).href);
} catch (err) {
  process.send({ type: "init-error", error: { errorType: "Runtime.ImportModuleError", errorMessage: String(err?.stack ?? err) } });
  process.exit(1);
}
const handler = mod[fn];
process.on("message", async (msg) => {
  if (msg.type !== "invoke") return;
  const deadline = msg.deadline;
  const context = {
    awsRequestId: msg.requestId,
    functionName: msg.functionName,
    functionVersion: "$LATEST",
    memoryLimitInMB: String(msg.memoryMB),
    invokedFunctionArn: msg.functionArn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(msg.event, context);
    process.send({ type: "result", requestId: msg.requestId, result: result === undefined ? null : result });
  } catch (err) {
    process.send({
      type: "error",
      requestId: msg.requestId,
      error: {
        errorType: err?.name ?? "Error",
        errorMessage: err?.message ?? String(err),
        trace: String(err?.stack ?? "").split("\n"),
      },
    });
  }
});
process.send({ type: "ready" });
