// @cubed-ts/labelled through s3:// URLs: a Dataset written with toZarr to the local S3 stand-in and
// opened again with openDataset (lazy, cubed-backed) gives back the same values, coordinates and attrs.
import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { Spec } from "@cubed-ts/core";
import { Dataset, openDataset } from "@cubed-ts/labelled";
import { buildApp } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client, registerS3 } from "../src/index.js";

const creds = { accessKeyId: "test", secretAccessKey: "test" };
let close: () => Promise<void>;

beforeAll(async () => {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const c = createS3Client({ endpoint, credentials: creds });
  await c.send(new CreateBucketCommand({ Bucket: "ds" }));
  c.destroy();
  registerS3({ endpoint, credentials: creds });
  close = () => app.close();
});
afterAll(async () => {
  await close();
});

describe.each([2, 3] as const)("labelled openDataset / toZarr on s3:// (Zarr v%i)", (zarrFormat) => {
  it("round-trips a Dataset", async () => {
    const u = Array.from({ length: 6 }, (_, i) => [i * 1.5, -i, i / 4]);
    const ds = new Dataset(
      { u: [["t", "x"], u, { units: "m/s" }], v: [["t", "x"], u.map((r) => r.map((x) => x * 2))] },
      { coords: { t: [0, 1, 2, 3, 4, 5], x: [10, 20, 30] }, attrs: { title: "s3 round trip" } },
    );
    const url = `s3://ds/v${zarrFormat}/uv.zarr`;
    await ds.toZarr(url, { zarrFormat, mode: "w" });
    const spec = new Spec({ workDir: `s3://ds/work-v${zarrFormat}`, allowedMem: "200MB" });
    const back = await openDataset(url, { chunks: {}, spec });
    expect(back.dataVars).toEqual(["u", "v"]);
    expect(back.get("u").isChunked).toBe(true);
    expect(back.attrs).toMatchObject({ title: "s3 round trip" });
    const got = await back.get("u").add(back.get("v")).values();
    expect(Array.from(got.data as ArrayLike<number>)).toEqual(u.flat().map((x) => x * 3));
    const t = await back.get("t").values();
    expect(Array.from(t.data as ArrayLike<number | bigint>, Number)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
