import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { buildApp } from "fauxqs";
import { createS3Client } from "../../src/index.js";

/** A fauxqs S3 stand-in on 127.0.0.1 (in memory), started and stopped by the test. */
export interface LocalS3 {
  endpoint: string;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalS3(): Promise<LocalS3> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  return {
    endpoint,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}

/** What the fault proxy does with one request: forward it, or answer with an error status. */
export type ProxyDecision = "forward" | { status: number; code: string; body?: string };

/** An HTTP proxy on 127.0.0.1 in front of `target` that can fail chosen requests. */
export interface FaultProxy {
  endpoint: string;
  requests: { method: string; url: string; decision: string }[];
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string, decide: (req: IncomingMessage, n: number) => ProxyDecision): Promise<FaultProxy> {
  const t = new URL(target);
  const requests: FaultProxy["requests"] = [];
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const d = decide(req, n++);
    requests.push({ method: req.method ?? "", url: req.url ?? "", decision: d === "forward" ? "forward" : String(d.status) });
    if (d !== "forward") {
      req.resume();
      req.on("end", () => {
        const body = d.body ?? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${d.code}</Code><Message>injected</Message></Error>`;
        res.writeHead(d.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
