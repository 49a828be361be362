/**
 * Serving the Web-standard worker from Node: an adapter from `node:http`
 * (and Express-style requests such as Cloud Run functions') to `Request`/`Response`.
 * @module
 */
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_REQUEST_BYTES } from "./protocol.js";
import type { WorkerHandler } from "./worker.js";

/** The parts of a Node request the adapter reads. */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/**
 * A Web `Request` from a Node request's method, URL and headers and its body bytes.
 *
 * @example
 * ```ts
 * const request = toWebRequest(req, req.rawBody); // Cloud Run functions keep the raw body
 * ```
 */
export function toWebRequest(req: NodeRequestLike, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) headers.append(k, x);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && body !== undefined;
  return new Request(new URL(req.url ?? "/", "http://worker.local"), { method, headers, ...(hasBody ? { body } : {}) });
}

/**
 * Writes a Web `Response` to a Node response.
 *
 * @example
 * ```ts
 * await sendWebResponse(res, await handle(toWebRequest(req, body)));
 * ```
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  res.writeHead(response.status, { ...headers, "content-length": String(body.length) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > MAX_REQUEST_BYTES + 1) break; // the handler refuses it as too large
    parts.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A running Node server. */
export interface NodeWorkerServer {
  /** `http://host:port/` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a worker handler with `node:http` (a container on Cloud Run, a VM, a local run).
 *
 * @example
 * ```ts
 * const server = await serveNode(createWorker({ secret }), { port: 8080, host: "0.0.0.0" });
 * console.log(server.url);
 * ```
 */
export function serveNode(handler: WorkerHandler, options: { port?: number; host?: string } = {}): Promise<NodeWorkerServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(toWebRequest(req, body)))
      .then((response) => sendWebResponse(res, response))
      .catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`worker adapter error: ${err.message}`);
      });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
