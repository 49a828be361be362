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
import type { HttpExecutor } from "@cubed-ts/exec-http";
import type { createWorker } from "@cubed-ts/exec-http/worker";
import type { serveNode } from "@cubed-ts/exec-http/node";
import type { cubedWorker } from "@cubed-ts/exec-http/gcf";
import type { startWorkerd } from "@cubed-ts/exec-http/local";
import type workerdEntry from "@cubed-ts/exec-http/workerd";

export type Entrypoints = [
  CubedArray, Dataset, typeof labelledKernelModule, ThreadsExecutor, typeof registerS3, LambdaExecutor, typeof handler, StepFunctionsExecutor,
  HttpExecutor, typeof createWorker, typeof serveNode, typeof cubedWorker, typeof startWorkerd, typeof workerdEntry,
];
