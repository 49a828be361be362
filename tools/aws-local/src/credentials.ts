/** Credentials in the shape the AWS SDK takes. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Placeholder credentials for the local stand-ins: the SDK needs something to
 * sign with, and the local servers check no signatures. They are not secrets and
 * grant nothing anywhere; using them also keeps a user's real credentials from
 * being sent to local servers. (Not frozen: the SDK annotates the credential
 * objects it is given, so every client gets its own copy.)
 *
 * @example
 * ```ts
 * const stack = await startAwsLocal({ credentials: LOCAL_CREDENTIALS });
 * ```
 */
export const LOCAL_CREDENTIALS: Readonly<LocalCredentials> = {
  accessKeyId: "LOCALSTANDIN",
  secretAccessKey: "local-stand-in-not-a-secret",
};
