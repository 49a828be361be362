// A client process for the resume test: computes with the LambdaExecutor and prints every finished
// task, so the test can SIGKILL it mid-compute. Uses the built packages (dist).
// Usage: node resume-client.mjs S3_ENDPOINT LAMBDA_ENDPOINT FUNCTION WORKDIR
import { Spec, add, compute, mean, multiply, random } from "@cubed-ts/core";
import { registerS3 } from "@cubed-ts/store-s3";
import { LambdaExecutor } from "@cubed-ts/exec-lambda";

const [s3Endpoint, lambdaEndpoint, functionName, workDir] = process.argv.slice(2);
registerS3({ endpoint: s3Endpoint });
const spec = new Spec({ workDir, allowedMem: "400MB" });
const u = random.random([16, 6, 5], { chunks: [2, 6, 5], seed: 5, spec });
const v = random.random([16, 6, 5], { chunks: [2, 6, 5], seed: 6, spec });
const executor = new LambdaExecutor({ functionName, endpoint: lambdaEndpoint, concurrency: 2, minTimeoutSeconds: 1 });
await compute(mean(multiply(u, v), { axis: 0 }), add(u, v), {
  executor,
  callbacks: [{ onTaskEnd: (e) => process.stdout.write(`task ${e.opId} ${e.coords.join(",")}\n`) }],
});
process.stdout.write("done\n");
