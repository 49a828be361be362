/**
 * @cubed-ts/bench: benchmarks of cubed-ts. The CLI (`pnpm bench quadratic-means`)
 * wraps {@link runQuadraticMeans}; everything it measures is in the returned result.
 *
 * @example
 * ```ts
 * import { runQuadraticMeans, formatReport } from "@cubed-ts/bench";
 * const r = await runQuadraticMeans({ t: 10, workDir: "/tmp/qm", allowedMem: "2GB" });
 * console.log(formatReport(r));
 * ```
 * @module
 */
export {
  runQuadraticMeans,
  EXECUTORS,
  APIS,
  type ApiName,
  type TaskRecord,
  DEFAULT_SPATIAL_SHAPE,
  DEFAULT_TIME_CHUNK,
  DEFAULT_TOLERANCE,
  type ExecutorName,
  type QuadraticMeansOptions,
  type QuadraticMeansResult,
  type OpReport,
} from "./quadratic-means.js";
export { generateInputs, openInputs, type GenerateInputsOptions, type InputInfo, type InputCompressor } from "./inputs.js";
export { streamedReference, maxAbsDiff, type QuadraticMeans } from "./reference.js";
export { collectGarbage, peakRss, resetPeakRss } from "./memory.js";
export { formatReport } from "./report.js";
export { type RepeatRun, formatRepeats, repeatRun } from "./repeat.js";
export { formatProfile, profileTasks, type OpProfile, type RunProfile } from "./profile.js";
export { runCli, USAGE, type CliIo } from "./cli-main.js";
export {
  renderHtmlReport,
  renderScalingHtml,
  writeRunReport,
  type RunReportFiles,
  type ScalingReportInput,
} from "./html-report.js";
export { makeDatasetView, removeDatasetView, QUAD_DIMS } from "./dataset-view.js";
export { copyStoreObjects } from "./store-copy.js";
export { isStoreUrl, joinLocation, normalizeLocation } from "./location.js";
export {
  AWS_EXECUTORS,
  isAwsExecutor,
  checkAwsLocations,
  prepareAwsExecution,
  type AwsExecutorName,
  type AwsOptions,
  type AwsRunReport,
  type AwsExecution,
  type PrepareAwsOptions,
} from "./aws-executors.js";
export { withAwsLocal, type AwsLocalRunOptions } from "./aws-local-run.js";
export { AWS_PRICES, estimateAwsCost, type AwsUsage, type AwsCostEstimate, type Price } from "./aws-cost.js";
export {
  simulate,
  simPlanFromPlan,
  fitTaskCosts,
  type SimOp,
  type SimPlan,
  type TaskCosts,
  type ObjectStoreModel,
  type Pricing,
  type SimEnvironment,
  type SimResult,
} from "./simulate.js";
export {
  runWeakSweep,
  projectToCloud,
  planQuadraticMeansAt,
  probeStorage,
  probeParallelSpeed,
  awsLambdaEnvironment,
  localEnvironment,
  formatSweep,
  formatProjection,
  AWS_ASSUMPTIONS,
  CUBED_PUBLISHED_SECONDS,
  type Assumption,
  type SweepRow,
  type WeakSweepResult,
  type Projection,
} from "./scaling.js";
export { runSideBySide, formatSideBySide, type SideBySideOptions, type SideBySideResult, type HostInfo } from "./side-by-side.js";
export { runSideBySideCli, SIDE_BY_SIDE_USAGE } from "./side-by-side-cli.js";
export { sideBySideEngines, type EngineSpec, type EngineContext, type InputGroup, type RunSample } from "./side-by-side-engines.js";
export { formatSideBySideTable, summariseEngine, withDaskRatios, median, type EngineRow } from "./side-by-side-table.js";
export { writeMeans, readMeans, compareMeans, MEANS_FILES, type ComputedMeans } from "./means-files.js";
export { runChild, describeFailure, type ChildResult, type RunChildOptions } from "./child-process.js";
export { warmPageCache } from "./page-cache.js";
export {
  DEFAULT_PYTHON,
  PYTHON_SCRIPTS,
  pythonDir,
  pythonScript,
  pythonVersions,
  makeZarrPythonInputs,
  type PythonVersions,
  type LibraryStatus,
  type ZarrPythonInputsOptions,
} from "./python-drivers.js";
