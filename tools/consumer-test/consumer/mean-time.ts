// A newcomer's program, compiled with strict tsc against the installed tarballs:
// open an xarray-written Zarr store lazily, average over time on worker threads.
// usage: node mean-time.js STORE_URL WORK_DIR   (prints JSON on stdout)
import { Spec, type Callback } from "@cubed-ts/core";
import { openDataset, StringArray } from "@cubed-ts/labelled";
import { ThreadsExecutor } from "@cubed-ts/exec-threads";

const [url, workDir] = process.argv.slice(2);
if (url === undefined || workDir === undefined) throw new Error("usage: mean-time.js STORE_URL WORK_DIR");

const executor = new ThreadsExecutor({ maxWorkers: 2 });
// no kernelModules: the labelled kernels travel with the plan and the threads pick them up
const spec = new Spec({ workDir, allowedMem: "500MB", executor });
const workers: string[] = [];
const countTasks: Callback = { onTaskEnd: (e) => void workers.push(e.worker) };

try {
  const ds = await openDataset(url, { chunkedArrayType: "cubed", spec });
  const lazy = ds.dataVars.filter((name) => ds.get(name).isChunked);
  const m = await ds.mean("time").compute({ callbacks: [countTasks] });
  const values: Record<string, (number | null)[]> = {};
  for (const name of m.dataVars) {
    const v = await m.get(name).values();
    if (v instanceof StringArray) throw new Error(`${name} holds strings`);
    values[name] = Array.from(v.data, (x: number | bigint) => (Number.isNaN(Number(x)) ? null : Number(x)));
  }
  console.log(JSON.stringify({ dims: m.get("tas").dims, lazy, values, tasks: workers.length, workers: [...new Set(workers)].sort() }));
} finally {
  await executor.close();
}
