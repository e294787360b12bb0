import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TlogError } from "../errors.js";
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

/** A Host header worth echoing in Location: a host name or address with an optional port. */
function originOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return `http://${host !== undefined && /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/.test(host) ? host : fallback}`;
}

function send(res: ServerResponse, response: ApiResponse, close = false): void {
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body), ...(close ? { connection: "close" } : {}) });
  res.end(response.body);
}

/** Why the server cannot listen, and whether the address or the port is at fault (the CLI names that option). */
export class ListenError extends TlogError {
  constructor(
    message: string,
    readonly culprit: "host" | "port",
  ) {
    super("LOG_LISTEN", message);
  }
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): ListenError {
  switch (err.code) {
    case "EADDRINUSE":
      return new ListenError(`${host}:${port} is already in use`, "port");
    case "EACCES":
      return new ListenError(`not allowed to listen on ${host}:${port}`, "port");
    case "EADDRNOTAVAIL":
      return new ListenError(`${host} is not an address of this machine`, "host");
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new ListenError(`'${host}' is neither an IP address nor a host name that resolves (${err.code})`, "host");
    default:
      return new ListenError(`cannot listen on ${host}:${port} (${err.code ?? err.message})`, "host");
  }
}

/**
 * Serves the embedded log's Rekor v1 API over HTTP. Every answer, errors included, is JSON; slow or
 * oversized requests are cut off so that no client can hold the server.
 */
export function serveLog(log: EmbeddedLog, host: string, port: number): Promise<{ server: Server; url: string }> {
  let fallbackHost = host;
  const server = createServer({ keepAliveTimeout: 30_000, headersTimeout: 10_000, requestTimeout: 30_000 }, async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const declared = Number(req.headers["content-length"] ?? 0);
      const body = declared > MAX_REQUEST_BYTES ? "too-large" : await readBody(req);
      if (body === "too-large") {
        send(res, apiError(413, `request body exceeds ${MAX_REQUEST_BYTES} bytes`), true);
        return;
      }
      send(res, await handleRekorApi(log, { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, origin: originOf(req, fallbackHost) }));
    } catch {
      if (!res.headersSent) send(res, apiError(400, "malformed request"), true);
      else res.destroy();
    }
  });
  server.maxConnections = 1024;
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = JSON.stringify({ code: status, message: status === 431 ? "request headers too large" : status === 408 ? "request timed out" : "malformed HTTP request" }) + "\n";
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      fallbackHost = `${shownHost}:${address.port}`;
      resolve({ server, url: `http://${fallbackHost}` });
    });
  });
}
