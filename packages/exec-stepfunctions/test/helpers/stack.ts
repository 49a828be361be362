// Reuses the Lambda executor's test stack (fauxqs S3 + the local Lambda Invoke server running the
// real deployed worker bundle in child processes), all on 127.0.0.1.
export { FAKE_CREDS, KERNELS, type Stack, startStack } from "../../../exec-lambda/test/helpers/stack.js";
export type { Fault } from "../../../exec-lambda/test/helpers/local-lambda.js";
