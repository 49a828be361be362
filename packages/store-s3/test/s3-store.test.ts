// Conformance of S3Store against a local S3 stand-in (fauxqs on 127.0.0.1): round trips,
// ranged and suffix reads, missing keys, paginated listing, prefixes, concurrent writes,
// retries on 5xx/throttling, and error tags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalS3, startFaultProxy, startLocalS3 } from "./helpers/servers.js";
import { S3Store, createS3Client, isS3Error, parseS3Url, resolveS3ClientOptions } from "../src/index.js";
import type { AbsolutePath } from "@cubed-ts/core";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
let s3: LocalS3;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

function store(url: string, extra: Record<string, unknown> = {}): S3Store {
  return new S3Store(url, { endpoint: s3.endpoint, credentials: creds, ...extra });
}

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket("conf");
});
afterAll(async () => {
  await s3.stop();
});

describe("URLs and configuration", () => {
  it("parses s3 URLs and rejects others with a tagged error", () => {
    expect(parseS3Url("s3://bb")).toEqual({ bucket: "bb", prefix: "" });
    expect(parseS3Url("s3://my-bucket/a//b/")).toEqual({ bucket: "my-bucket", prefix: "a/b" });
    for (const bad of ["http://x/y", "s3:/b", "s3://", "file:///tmp"]) {
      let err: unknown;
      try {
        parseS3Url(bad);
      } catch (e) {
        err = e;
      }
      expect(isS3Error(err, "S3UrlError")).toBe(true);
    }
  });

  it("reads region and endpoint from the standard environment, path style with custom endpoints", () => {
    const env = { AWS_REGION: "eu-west-3", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" };
    expect(resolveS3ClientOptions({}, env)).toMatchObject({ region: "eu-west-3", endpoint: "http://127.0.0.1:9", forcePathStyle: true });
    expect(resolveS3ClientOptions({}, {})).toMatchObject({ region: "us-east-1", endpoint: undefined, forcePathStyle: false });
    expect(resolveS3ClientOptions({ forcePathStyle: false }, env).forcePathStyle).toBe(false);
    expect(resolveS3ClientOptions({}, { ...env, CUBED_S3_FORCE_PATH_STYLE: "0" }).forcePathStyle).toBe(false);
  });

  it("always sets WHEN_REQUIRED checksum modes", async () => {
    const c = createS3Client({ endpoint: s3.endpoint, credentials: creds });
    expect(await c.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
    expect(await c.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");
    c.destroy();
  });
});

describe("S3Store conformance", () => {
  it("round-trips bytes, overwrites whole objects, and returns undefined for missing keys", async () => {
    const st = store("s3://conf/rt");
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    await st.set("/a/zarr.json", enc("{}"));
    await st.set("/a/c/0/0", big);
    await st.set("/empty", new Uint8Array(0));
    expect(dec(await st.get("/a/zarr.json"))).toBe("{}");
    const back = (await st.get("/a/c/0/0"))!;
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(big))).toBe(0);
    expect((await st.get("/empty"))?.length).toBe(0);
    await st.set("/a/zarr.json", enc('{"x":1}'));
    expect(dec(await st.get("/a/zarr.json"))).toBe('{"x":1}');
    expect(await st.get("/nope")).toBeUndefined();
    expect(await st.get("/a/c/9/9")).toBeUndefined();
    // a subarray view is written as exactly its bytes
    const backing = enc("0123456789");
    await st.set("/view", backing.subarray(3, 7));
    expect(dec(await st.get("/view"))).toBe("3456");
  });

  it("reads byte ranges: offset+length, past the end, suffix, oversize suffix, missing", async () => {
    const st = store("s3://conf/ranges");
    const data = enc("abcdefghijklmnopqrstuvwxyz0123456789"); // 36 bytes
    await st.set("/obj", data);
    expect(dec(await st.getRange("/obj", { offset: 10, length: 10 }))).toBe("klmnopqrst");
    expect(dec(await st.getRange("/obj", { offset: 30, length: 100 }))).toBe("456789");
    expect(dec(await st.getRange("/obj", { offset: 0, length: 1 }))).toBe("a");
    expect(await st.getRange("/obj", { offset: 36, length: 4 })).toEqual(new Uint8Array(0));
    expect(await st.getRange("/obj", { offset: 5, length: 0 })).toEqual(new Uint8Array(0));
    expect(dec(await st.getRange("/obj", { suffixLength: 6 }))).toBe("456789");
    expect(dec(await st.getRange("/obj", { suffixLength: 100 }))).toBe(dec(data));
    expect(await st.getRange("/missing", { suffixLength: 6 })).toBeUndefined();
    expect(await st.getRange("/missing", { offset: 0, length: 6 })).toBeUndefined();
    expect(await st.getRange("/missing", { offset: 0, length: 0 })).toBeUndefined();
  });

  it("lists keys under a prefix across many pages, sorted, relative to the store root", async () => {
    const st = store("s3://conf/list/root", { listPageSize: 4 });
    const keys: AbsolutePath[] = [];
    for (let i = 0; i < 23; i++) keys.push(`/arr/c/${Math.floor(i / 5)}/${i % 5}`);
    keys.push("/arr/zarr.json", "/other/zarr.json", "/arrow");
    await Promise.all(keys.map((k) => st.set(k, enc(k))));
    await store("s3://conf/list/rootsibling").set("/arr/x", enc("must not be listed"));
    const under = await st.list("/arr/");
    expect(under).toEqual(keys.filter((k) => k.startsWith("/arr/")).sort());
    expect(under.length).toBe(24);
    expect(await st.list("/arr")).toEqual(keys.filter((k) => k.startsWith("/arr")).sort());
    expect((await st.list("/")).length).toBe(26);
    expect(await st.list("/zzz/")).toEqual([]);
    // the bucket root sees every prefix
    const root = store("s3://conf", { listPageSize: 1000 });
    expect(await root.list("/list/root/other/")).toEqual(["/list/root/other/zarr.json"]);
  });

  it("deletes keys and whole prefixes (in batches), leaving siblings alone", async () => {
    const st = store("s3://conf/del");
    const keys = Array.from({ length: 40 }, (_, i) => `/d/c/${i}` as AbsolutePath);
    await Promise.all(keys.map((k) => st.set(k, enc("x"))));
    await st.set("/d2/keep", enc("keep"));
    await st.set("/d", enc("the prefix itself as a key"));
    await st.delete("/d/c/0");
    await st.delete("/d/c/does-not-exist");
    expect(await st.get("/d/c/0")).toBeUndefined();
    await st.deletePrefix("/d");
    expect(await st.list("/d/")).toEqual([]);
    expect(await st.get("/d")).toBeUndefined();
    expect(dec(await st.get("/d2/keep"))).toBe("keep");
    await st.deletePrefix("/");
    expect(await st.list("/")).toEqual([]);
  });

  it("handles concurrent writes: distinct keys all land, same-key writes are whole (last writer wins)", async () => {
    const st = store("s3://conf/conc", { maxSockets: 32 });
    const n = 96;
    await Promise.all(Array.from({ length: n }, (_, i) => st.set(`/k/${i}`, new Uint8Array(4096).fill(i % 256))));
    const got = await Promise.all(Array.from({ length: n }, (_, i) => st.get(`/k/${i}`)));
    got.forEach((g, i) => expect(Buffer.compare(Buffer.from(g!), Buffer.alloc(4096, i % 256))).toBe(0));
    const versions = Array.from({ length: 12 }, (_, i) => new Uint8Array(256 * 1024).fill(i + 1));
    await Promise.all(versions.map((v) => st.set("/same", v)));
    const final = (await st.get("/same"))!;
    expect(final.length).toBe(256 * 1024);
    expect(final.every((b) => b === final[0])).toBe(true);
    expect(final[0]).toBeGreaterThanOrEqual(1);
    expect(final[0]).toBeLessThanOrEqual(12);
  });

  it("keeps prefixes isolated", async () => {
    const a = store("s3://conf/iso/a");
    const b = store("s3://conf/iso/b");
    await a.set("/k", enc("A"));
    await b.set("/k", enc("B"));
    expect(dec(await a.get("/k"))).toBe("A");
    expect(dec(await b.get("/k"))).toBe("B");
    expect(await a.list("/")).toEqual(["/k"]);
  });

  it("raises a tagged S3RequestError for a missing bucket (not undefined)", async () => {
    const st = store("s3://no-such-bucket-here/x", { maxAttempts: 1 });
    await expect(st.set("/k", enc("x"))).rejects.toSatisfy((e: unknown) => isS3Error(e, "S3RequestError"));
    let err: unknown;
    try {
      await st.list("/");
    } catch (e) {
      err = e;
    }
    expect(isS3Error(err, "S3RequestError")).toBe(true);
  });

  it("retries 5xx and throttling with backoff, and gives up after maxAttempts", async () => {
    await store("s3://conf/retry").set("/k", enc("value"));
    let failuresLeft = 3;
    const proxy = await startFaultProxy(s3.endpoint, () => {
      if (failuresLeft > 0) {
        failuresLeft--;
        return failuresLeft % 2 === 0 ? { status: 503, code: "SlowDown" } : { status: 500, code: "InternalError" };
      }
      return "forward";
    });
    try {
      const st = new S3Store("s3://conf/retry", { endpoint: proxy.endpoint, credentials: creds, maxAttempts: 5 });
      const t0 = Date.now();
      expect(dec(await st.get("/k"))).toBe("value");
      expect(proxy.requests.map((r) => r.decision)).toEqual(["503", "500", "503", "forward"]);
      expect(Date.now() - t0).toBeLessThan(20_000);

      failuresLeft = 100;
      const once = new S3Store("s3://conf/retry", { endpoint: proxy.endpoint, credentials: creds, maxAttempts: 2 });
      const before = proxy.requests.length;
      let err: unknown;
      try {
        await once.get("/k");
      } catch (e) {
        err = e;
      }
      expect(isS3Error(err, "S3RequestError")).toBe(true);
      expect([500, 503]).toContain((err as { status?: number }).status);
      expect(proxy.requests.length - before).toBe(2);
    } finally {
      await proxy.stop();
    }
  });
});
