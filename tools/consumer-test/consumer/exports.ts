// Every entry point of every package resolves with types (type-checked, not run).
import "@cubed-ts/core/runtime/task-worker";
import type { CubedArray } from "@cubed-ts/core";
import type { Dataset } from "@cubed-ts/labelled";
import type { labelledKernelModule } from "@cubed-ts/labelled/kernels";
import type { ThreadsExecutor } from "@cubed-ts/exec-threads";
import type { registerS3 } from "@cubed-ts/store-s3";
import type { LambdaExecutor } from "@cubed-ts/exec-lambda";
import type { handler } from "@cubed-ts/exec-lambda/handler";
import type { StepFunctionsExecutor } from "@cubed-ts/exec-stepfunctions";

export type Entrypoints = [CubedArray, Dataset, typeof labelledKernelModule, ThreadsExecutor, typeof registerS3, LambdaExecutor, typeof handler, StepFunctionsExecutor];
