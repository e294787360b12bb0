import type { Transport } from "../client.js";
import { handleRekorApi } from "./api.js";
import type { EmbeddedLog } from "./log.js";

/**
 * A transport that hands requests straight to an embedded log's API handler, with the same
 * serialisation as HTTP, so the client code path is identical with or without a server; and, for
 * the reads that dominate an audit of a large log, the log's own typed objects (Transport.local).
 */
export function inProcessTransport(log: EmbeddedLog): Transport {
  return {
    description: `embedded log ${log.origin}`,
    local: { entriesInRange: (from, to) => log.entriesInRange(from, to) },
    async request(method, path, body) {
      const url = new URL(path, "http://embedded");
      const response = await handleRekorApi(log, {
        method,
        path: url.pathname,
        query: url.searchParams,
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        origin: "",
      });
      return { status: response.status, header: (name) => response.headers[name.toLowerCase()], body: response.body };
    },
  };
}
