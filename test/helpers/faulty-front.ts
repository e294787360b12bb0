import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleRekorApi } from "../../src/tlog/embedded/api.js";
import type { EmbeddedLog } from "../../src/tlog/embedded/log.js";

/** What the front does with one request: forward it to the log, never answer, drop the connection, or answer with a status. */
export type FrontAction = "forward" | "hang" | "reset" | number;

export interface FaultyFront {
  readonly url: string;
  /** "METHOD path" of every request received. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** An HTTP server in front of an embedded log's API that answers the n-th request (1-based) as `plan(n)` says. */
export async function faultyFront(log: EmbeddedLog, plan: (n: number) => FrontAction): Promise<FaultyFront> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const n = requests.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const action = plan(n);
    if (action === "hang") return;
    if (action === "reset") {
      req.socket.destroy();
      return;
    }
    if (typeof action === "number") {
      res.writeHead(action, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: action, message: `injected ${action}` }));
      return;
    }
    const url = new URL(req.url ?? "/", "http://front");
    const answer = await handleRekorApi(log, { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks), origin: `http://${req.headers.host}` });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close };
}
