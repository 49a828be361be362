/**
 * Request signing with a shared secret: HMAC-SHA256 over
 * `v1:<timestamp>:<body>` with Web Crypto, which Node, Cloud Run functions and
 * workerd all provide. A worker given a secret refuses any request whose
 * signature does not verify or whose timestamp is further than the allowed
 * skew from its clock (so a captured request cannot be replayed for long).
 * @module
 */

const encoder = new TextEncoder();
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const keys = new Map<string, Promise<HmacKey>>();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hmacKey(secret: string): Promise<HmacKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, k);
    if (keys.size > 16) keys.delete(keys.keys().next().value!);
  }
  return k;
}

function message(timestamp: string, body: string): Uint8Array {
  return encoder.encode(`v1:${timestamp}:${body}`);
}

/**
 * The signature header value for a request body.
 *
 * @example
 * ```ts
 * const ts = String(Date.now());
 * const sig = await signBody("s3cret", ts, body); // "v1=9f2c…"
 * await fetch(url, { method: "POST", body, headers: { "x-cubed-timestamp": ts, "x-cubed-signature": sig } });
 * ```
 */
export async function signBody(secret: string, timestamp: string, body: string): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), message(timestamp, body));
  return `v1=${hex(sig)}`;
}

/** Why a signature check failed, or `undefined` when it passed. */
export type SignatureProblem = "missing" | "malformed" | "stale" | "mismatch";

/**
 * Checks a request's signature headers against its body, in constant time
 * (Web Crypto `verify`). `maxSkewMs` bounds how far the timestamp may be from `now`.
 *
 * @example
 * ```ts
 * const problem = await verifyBody("s3cret", req.headers.get("x-cubed-timestamp"), req.headers.get("x-cubed-signature"), body);
 * if (problem) return new Response("refused", { status: 401 });
 * ```
 */
export async function verifyBody(
  secret: string,
  timestamp: string | null,
  signature: string | null,
  body: string,
  options: { maxSkewMs?: number; now?: number } = {},
): Promise<SignatureProblem | undefined> {
  if (timestamp === null || signature === null) return "missing";
  const m = /^v1=([0-9a-f]{64})$/.exec(signature);
  const bytes = m ? unhex(m[1]!) : undefined;
  if (!bytes || !/^\d{1,16}$/.test(timestamp)) return "malformed";
  const skew = Math.abs((options.now ?? Date.now()) - Number(timestamp));
  if (skew > (options.maxSkewMs ?? 300_000)) return "stale";
  const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, message(timestamp, body));
  return ok ? undefined : "mismatch";
}

/**
 * SHA-256 of some bytes, as lowercase hex (Web Crypto).
 *
 * @example
 * ```ts
 * await sha256Hex(new TextEncoder().encode("abc")); // "ba7816bf…"
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}
