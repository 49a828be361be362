// Re-runs core's test suite with ThreadsExecutor as the default executor.
import { setDefaultExecutor } from "../../core/src/index.js";
import { ThreadsExecutor } from "../src/index.js";

setDefaultExecutor(new ThreadsExecutor({ maxWorkers: 2 }));
