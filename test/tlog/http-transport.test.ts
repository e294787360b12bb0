import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_RESPONSE_BYTES, RekorClient, displayUrl, httpTransport } from "../../src/tlog/client.js";
import { TlogError } from "../../src/tlog/errors.js";
import { within } from "../helpers/raw-http.js";
import { tempDir } from "../helpers/tlog.js";

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local server (HTTPS with `tls`) answering every request with `handler`; returns its base URL. */
async function serve(handler: RequestListener, tls?: { key: Buffer; cert: Buffer }): Promise<string> {
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const LOG_INFO = JSON.stringify({ rootHash: "ab".repeat(32), treeSize: 1, signedTreeHead: "x", treeID: "1" });

/** The TlogError a request fails with. */
async function failure(url: string, options: Parameters<typeof httpTransport>[1] = {}): Promise<TlogError> {
  const err = await within(20_000, "request failure", new RekorClient(httpTransport(url, options)).getLogInfo().then(() => undefined, (e: unknown) => e));
  expect(err).toBeInstanceOf(TlogError);
  return err as TlogError;
}

describe("httpTransport bounds answers", () => {
  it(`an endless answer fails once it passes ${MAX_RESPONSE_BYTES} bytes, without retrying, and the connection is dropped`, async () => {
    let dropped: Promise<void> | undefined;
    const url = await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      dropped = new Promise((resolve) => res.once("close", resolve));
      const chunk = Buffer.alloc(64 << 10, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const err = await failure(url, { retries: 2, backoffMs: 5 });
    expect(err.message).toContain(`exceeds the ${MAX_RESPONSE_BYTES}-byte limit`);
    expect(err.message).toContain("after 1 attempt(s)");
    await within(10_000, "server sees the connection dropped", dropped!);
  });
  it("an answer declaring a length past the limit is refused before it is read", async () => {
    const url = await serve((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(4096) });
      res.end(" ".repeat(4096));
    });
    expect((await failure(url, { maxResponseBytes: 1024 })).message).toContain("exceeds the 1024-byte limit");
    expect(await new RekorClient(httpTransport(url, { maxResponseBytes: 4096 })).getLogInfo().catch((e: Error) => e.message)).toContain("not JSON");
  });
});

describe("httpTransport keeps credentials out of every message", () => {
  it("sends user:password from the URL as Basic authorization, and shows the URL without them", async () => {
    const seen: IncomingMessage[] = [];
    const url = await serve((req, res) => {
      seen.push(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(LOG_INFO);
    });
    const withCredentials = url.replace("http://", "http://alice:s3cr%40t-pw@");
    const transport = httpTransport(withCredentials);
    expect((await new RekorClient(transport).getLogInfo()).treeSize).toBe(1);
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from("alice:s3cr@t-pw").toString("base64")}`);
    expect(seen[0]!.url).toBe("/api/v1/log");
    expect(transport.description).toBe(url);
  });
  it("no failure message carries the password", async () => {
    const unavailable = await serve((_, res) => {
      res.writeHead(503);
      res.end();
    });
    for (const url of [unavailable.replace("http://", "http://alice:s3cr%40t-pw@"), "http://alice:s3cr%40t-pw@nonexistent.invalid/"]) {
      const err = await failure(url, { retries: 1, backoffMs: 5 });
      expect(err.message).not.toMatch(/s3cr|alice/);
      expect(err.message).toMatch(/HTTP 503|DNS/);
    }
  });
  it("displayUrl drops the user name and password, and keeps the rest", () => {
    expect(displayUrl("https://user:pa%3Ass@rekor.example:8443/path?q=1")).toBe("https://rekor.example:8443/path?q=1");
    expect(displayUrl("https://rekor.sigstore.dev")).toBe("https://rekor.sigstore.dev/");
    expect(displayUrl("not a url://user:pw@host")).not.toContain("pw");
  });
});

describe("httpTransport names the network cause, not 'fetch failed'", () => {
  it("connection refused", async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await failure(`http://127.0.0.1:${port}`, { retries: 1, backoffMs: 5 });
    expect(err.message).toContain("connection refused (ECONNREFUSED)");
    expect(err.message).toContain("after 2 attempt(s)");
    expect(err.message).not.toContain("fetch failed");
  });
  it("a host name DNS cannot resolve fails at once (no retries), offline too", async () => {
    const err = await failure("http://nonexistent.invalid", { retries: 3, backoffMs: 5_000 });
    expect(err.message).toMatch(/DNS: host name not found \((ENOTFOUND|EAI_NONAME)\)|DNS: name lookup failed/);
    expect(err.message).toContain("http://nonexistent.invalid/api/v1/log");
  });
  it("a port fetch refuses (9, discard) is named as such, at once", async () => {
    const err = await failure("http://127.0.0.1:9", { retries: 3, backoffMs: 5_000 });
    expect(err.message).toContain("the port is one fetch refuses to connect to");
    expect(err.message).toContain("after 1 attempt(s)");
  });
  it("a TLS certificate the client does not trust", async () => {
    const dir = tempDir("tls");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    const url = await serve((_, res) => res.end(LOG_INFO), { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) });
    const err = await failure(url, { retries: 3, backoffMs: 5_000 });
    expect(err.message).toMatch(/TLS certificate problem \([A-Z_]+\)/);
    expect(err.message).toContain("after 1 attempt(s)");
  });
  it("a connection the server drops", async () => {
    const url = await serve((req) => req.socket.destroy());
    expect((await failure(url, { retries: 0 })).message).toMatch(/connection (reset|closed by the server) \((ECONNRESET|UND_ERR_SOCKET)\)/);
  });
});
