/**
 * What a run on AWS would cost, from what the run counted: Lambda GB-seconds
 * and requests, Step Functions state transitions, S3 requests. List prices of
 * us-east-1, each with its source ({@link AWS_PRICES}); free tiers, data
 * storage and transfer within the Region are left out.
 * @module
 */

/** A list price and where it comes from. */
export interface Price {
  /** US$ per `unit`. */
  usd: number;
  unit: string;
  source: string;
}

/**
 * The prices the estimates use: us-east-1 on-demand list prices as the AWS
 * pricing pages named in `source` give them (values as of 2025; this machine
 * has no internet access, so they were not re-checked when this was written).
 */
export const AWS_PRICES = {
  lambdaArm64GbSecond: { usd: 0.0000133334, unit: "GB-second (arm64)", source: "aws.amazon.com/lambda/pricing, us-east-1, first 7.5 billion GB-s per month" },
  lambdaX86GbSecond: { usd: 0.0000166667, unit: "GB-second (x86_64)", source: "aws.amazon.com/lambda/pricing, us-east-1, first 6 billion GB-s per month" },
  lambdaRequest: { usd: 0.2 / 1e6, unit: "request", source: "aws.amazon.com/lambda/pricing (US$0.20 per 1M requests)" },
  stateTransition: { usd: 0.025 / 1e3, unit: "state transition (Standard workflow)", source: "aws.amazon.com/step-functions/pricing, us-east-1 (US$0.025 per 1 000)" },
  s3Get: { usd: 0.0004 / 1e3, unit: "GET request", source: "aws.amazon.com/s3/pricing, S3 Standard, us-east-1 (US$0.0004 per 1 000)" },
  s3Put: { usd: 0.005 / 1e3, unit: "PUT/COPY/POST/LIST request", source: "aws.amazon.com/s3/pricing, S3 Standard, us-east-1 (US$0.005 per 1 000)" },
} as const satisfies Record<string, Price>;

/** What one run used, as the bench counted it. */
export interface AwsUsage {
  /** Lambda invocations (retries and backups included). */
  invocations: number;
  /** Seconds the worker ran tasks, summed over tasks (each rounded up to 1 ms, as Lambda bills). */
  billedSeconds: number;
  /** The function's configured memory. */
  memoryMB: number;
  architecture: "arm64" | "x86_64";
  /** Step Functions state transitions (Standard workflows); 0 for the Lambda executor. */
  stateTransitions: number;
  /** S3 GET and PUT requests of the tasks (estimated from the plan: one per chunk read or written). */
  s3Gets: number;
  s3Puts: number;
}

/** An estimate in US$, per item and in total. */
export interface AwsCostEstimate {
  lambdaCompute: number;
  lambdaRequests: number;
  stepFunctions: number;
  s3Requests: number;
  total: number;
  /** Billed GB-seconds (memory in GB = MB / 1024, as Lambda bills). */
  gbSeconds: number;
}

/**
 * Prices a run's usage with {@link AWS_PRICES}.
 *
 * @example
 * ```ts
 * const c = estimateAwsCost({ invocations: 6, billedSeconds: 12.5, memoryMB: 1908, architecture: "arm64",
 *   stateTransitions: 0, s3Gets: 20, s3Puts: 9 });
 * c.total; // ≈ 0.00031
 * ```
 */
export function estimateAwsCost(usage: AwsUsage): AwsCostEstimate {
  const gbSeconds = usage.billedSeconds * (usage.memoryMB / 1024);
  const perGbSecond = usage.architecture === "arm64" ? AWS_PRICES.lambdaArm64GbSecond.usd : AWS_PRICES.lambdaX86GbSecond.usd;
  const lambdaCompute = gbSeconds * perGbSecond;
  const lambdaRequests = usage.invocations * AWS_PRICES.lambdaRequest.usd;
  const stepFunctions = usage.stateTransitions * AWS_PRICES.stateTransition.usd;
  const s3Requests = usage.s3Gets * AWS_PRICES.s3Get.usd + usage.s3Puts * AWS_PRICES.s3Put.usd;
  return { lambdaCompute, lambdaRequests, stepFunctions, s3Requests, total: lambdaCompute + lambdaRequests + stepFunctions + s3Requests, gbSeconds };
}
