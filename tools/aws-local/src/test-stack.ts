import type { LocalCredentials } from "./credentials.js";
import type { Fault } from "./local-lambda.js";
import { type AwsLocal, startAwsLocal } from "./stack.js";

/**
 * Distinctive fake credentials for tests that check credentials never leak (into plans,
 * payloads, status objects or logs): easy to search for, valid nowhere.
 *
 * @example
 * ```ts
 * expect(JSON.stringify(plan)).not.toContain(LEAK_CHECK_CREDENTIALS.secretAccessKey);
 * ```
 */
export const LEAK_CHECK_CREDENTIALS: Readonly<Required<LocalCredentials>> = {
  accessKeyId: "AKIACUBEDTESTONLY4242",
  secretAccessKey: "cubedTestSecretKey/DoNotLeak+4242",
  sessionToken: "cubedTestSessionTokenDoNotLeak4242",
};

/** Options of {@link startTestAwsLocal}. */
export interface TestAwsLocalOptions {
  /** Decides, per invocation, whether the local Lambda server injects a fault. */
  faults?: (info: { functionName: string; type: string; payload: string; n: number }) => Fault;
  /** Lambda containers at once. Default 8. */
  maxConcurrency?: number;
}

/**
 * The executors' test stand-ins: S3 with buckets `work` and `other` and the Lambda Invoke
 * server, signing with {@link LEAK_CHECK_CREDENTIALS}, which are also put into this process's
 * environment (where a user's credentials would be), so tests can check they go nowhere else.
 *
 * @example
 * ```ts
 * const local = await startTestAwsLocal({ maxConcurrency: 4 });
 * await local.stop();
 * ```
 */
export function startTestAwsLocal(options: TestAwsLocalOptions = {}): Promise<AwsLocal> {
  process.env.AWS_ACCESS_KEY_ID = LEAK_CHECK_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LEAK_CHECK_CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = LEAK_CHECK_CREDENTIALS.sessionToken;
  process.env.AWS_REGION = "us-east-1";
  return startAwsLocal({
    buckets: ["work", "other"],
    credentials: { ...LEAK_CHECK_CREDENTIALS },
    lambda: { faults: options.faults, maxConcurrency: options.maxConcurrency ?? 8 },
  });
}
