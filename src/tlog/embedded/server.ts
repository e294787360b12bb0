import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { apiError, handleRekorApi, type ApiResponse } from "./api.js";
import type { EmbeddedLog } from "./log.js";

/** Requests larger than this are refused (Rekor's public instance caps entries at 100 KB). */
export const MAX_REQUEST_BYTES = 1 << 20;

function readBody(req: IncomingMessage): Promise<Uint8Array | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_REQUEST_BYTES) {
        req.pause();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Serves the embedded log's Rekor v1 API over HTTP. */
export function serveLog(log: EmbeddedLog, host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAliveTimeout: 30_000 }, async (req, res) => {
    let response: ApiResponse;
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const declared = Number(req.headers["content-length"] ?? 0);
      const body = declared > MAX_REQUEST_BYTES ? "too-large" : await readBody(req);
      response =
        body === "too-large"
          ? apiError(413, `request body exceeds ${MAX_REQUEST_BYTES} bytes`)
          : await handleRekorApi(log, { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, origin: `http://${req.headers.host ?? host}` });
    } catch {
      response = apiError(400, "malformed request");
    }
    res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
    res.end(response.body);
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({ server, url: `http://${shownHost}:${address.port}` });
    });
  });
}
