// Child process for the resume test: starts a compute and reports every finished task on stdout,
// so the parent can SIGKILL it mid-compute. Usage: node resume-child.mjs WORKDIR
import { Spec, random, mean, multiply, add, compute, InProcessExecutor } from "../../dist/index.js";

const spec = new Spec({ workDir: process.argv[2], allowedMem: "500MB" });
const u = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 1, spec });
const v = random.random([40, 30, 20], { chunks: [2, 30, 20], seed: 2, spec });
const slow = { onTaskEnd: (e) => process.stdout.write(`task ${e.opId} ${e.coords.join(",")}\n`) };
await compute(mean(multiply(u, v), { axis: 0 }), add(u, v), {
  executor: new InProcessExecutor({ concurrency: 1 }),
  callbacks: [slow],
  optimize: false,
});
process.stdout.write("done\n");
