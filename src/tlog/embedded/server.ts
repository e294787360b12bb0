import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { listenError } from "./listen-error.js";
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

/** Limits on slow clients and on shutdown; every one has a default, tests use short ones. */
export interface ServeOptions {
  /** A request's headers must arrive within this (Node's headersTimeout). */
  readonly headersTimeoutMs?: number;
  /** A whole request must arrive within this (Node's requestTimeout). */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * How often the two limits above are checked. Node's default, 30 s, lets a request that should be
   * cut off after 30 s run for up to a minute.
   */
  readonly timeoutCheckMs?: number;
  /** On close, how long requests already being handled may take before their connections are ended. */
  readonly shutdownGraceMs?: number;
}

export const SERVE_DEFAULTS: Required<ServeOptions> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  timeoutCheckMs: 1_000,
  shutdownGraceMs: 3_000,
};

/** A running log server. */
export interface LogServer {
  readonly url: string;
  /**
   * Stops accepting connections and closes idle ones; requests being handled get the grace period
   * to finish (their answers say `connection: close`), then every remaining connection, half-sent
   * requests included, is ended. Resolves when no connection is left: the log can then be closed.
   */
  close(): Promise<void>;
  /** Ends every connection now (a second interrupt does not wait for the grace period). */
  closeNow(): void;
}

/** The raw answer to a request Node's parser refused or timed out: the handler never saw it, so no ServerResponse exists. */
function clientErrorAnswer(code: string | undefined): string {
  const [status, reason, message] =
    code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "request headers too large"]
      : code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request timed out"]
        : [400, "Bad Request", "malformed HTTP request"];
  const body = JSON.stringify({ code: status, message }) + "\n";
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/**
 * Serves the embedded log's Rekor v1 API over HTTP. Every answer, errors included, is JSON; slow or
 * oversized requests are cut off so that no client can hold the server, and closing it takes at most
 * the grace period whatever clients do.
 */
export function serveLog(log: EmbeddedLog, host: string, port: number, options: ServeOptions = {}): Promise<LogServer> {
  const limits = { ...SERVE_DEFAULTS, ...options };
  let fallbackHost = host;
  /** Requests whose handler runs: close() waits for these, and only these, during the grace period. */
  const handling = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckMs,
    },
    async (req, res) => {
      handling.add(res);
      res.once("close", () => {
        handling.delete(res);
        // The last request finished: what remains is idle or half-sent and need not be waited for.
        if (closing !== undefined && handling.size === 0) server.closeAllConnections();
      });
      try {
        const url = new URL(req.url ?? "/", "http://localhost");
        const declared = Number(req.headers["content-length"] ?? 0);
        const body = declared > MAX_REQUEST_BYTES ? "too-large" : await readBody(req);
        if (body === "too-large") {
          send(res, apiError(413, `request body exceeds ${MAX_REQUEST_BYTES} bytes`), true);
          return;
        }
        const response = await handleRekorApi(log, { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, origin: originOf(req, fallbackHost) });
        send(res, response, closing !== undefined);
      } catch {
        // A request cut off while its body arrived (408, or the client went away) has no one to answer.
        if (!res.headersSent && !res.destroyed) send(res, apiError(400, "malformed request"), true);
        else res.destroy();
      }
    },
  );
  server.maxConnections = 1024;
  // Node answers these itself with an empty body; the API promises JSON {code, message} for every error.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end(clientErrorAnswer(err.code));
    else socket.destroy();
  });
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      // close() stops listening, ends idle keep-alive connections and, note, stops the timeout
      // checks: without the grace timer, a half-sent request would hold the server forever.
      const grace = setTimeout(() => server.closeAllConnections(), limits.shutdownGraceMs);
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      if (handling.size === 0) server.closeAllConnections();
    });
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      fallbackHost = `${shownHost}:${address.port}`;
      resolve({ url: `http://${fallbackHost}`, close, closeNow: () => server.closeAllConnections() });
    });
  });
}
