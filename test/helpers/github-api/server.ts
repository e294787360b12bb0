import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError } from "./errors.js";
import { Faults } from "./faults.js";
import { findRoute, type Reply, type Route, type Surface, type Urls } from "./router.js";
import { contentRoutes } from "./routes/contents.js";
import { issueRoutes } from "./routes/issues.js";
import { pullRoutes } from "./routes/pulls.js";
import { assetRoutes, releaseRoutes } from "./routes/releases.js";
import { repositoryRoutes } from "./routes/repository.js";
import { GitHubState } from "./state.js";

const ROUTES: readonly Route[] = [...repositoryRoutes, ...releaseRoutes, ...assetRoutes, ...contentRoutes, ...pullRoutes, ...issueRoutes];

/** One request as the server saw it; `status` is what it answered (0 while in flight), or what became of the connection. */
export interface LoggedRequest {
  readonly surface: Surface;
  readonly method: string;
  /** Below the surface prefix, e.g. `/repos/o/r/releases/tags/v1`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  status: number | "dropped" | "hung";
  readonly requestId: string;
}

export interface GitHubApiServer extends Urls {
  readonly state: GitHubState;
  readonly faults: Faults;
  readonly requests: LoggedRequest[];
  /** Exceptions the server itself threw (answered 500): a test should expect none. */
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

/** The prefixes GitHub Enterprise Server uses: `https://HOST/api/v3` for the API, `https://HOST/api/uploads` for uploads. */
const API_PREFIX = "/api/v3";
const UPLOADS_PREFIX = "/api/uploads";

function surfaceOf(pathname: string): { surface: Surface; path: string } {
  if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) return { surface: "api", path: pathname.slice(API_PREFIX.length) || "/" };
  if (pathname.startsWith(`${UPLOADS_PREFIX}/`)) return { surface: "uploads", path: pathname.slice(UPLOADS_PREFIX.length) };
  return { surface: "web", path: pathname };
}

/** `x-github-request-id` in GitHub's shape: five colon-separated upper-case hex groups. */
function requestId(): string {
  return [2, 2, 4, 4, 4].map((bytes) => randomBytes(bytes).toString("hex").toUpperCase()).join(":");
}

/**
 * docs.github.com "Authenticating to the REST API": `Authorization: Bearer YOUR-TOKEN` or `Authorization: token YOUR-TOKEN`.
 * A missing header on an endpoint that needs one: 401 "Requires authentication"; a wrong token: 401 "Bad credentials".
 */
function authenticate(header: string | undefined, token: string): void {
  if (header === undefined) throw new ApiError(401, "Requires authentication");
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header.trim());
  if (!match || match[1] !== token) throw new ApiError(401, "Bad credentials");
}

/** Headers GitHub sends on every API response (docs.github.com "Rate limits for the REST API", "API versions"). */
function commonHeaders(id: string): Record<string, string> {
  return {
    "x-github-request-id": id,
    "x-github-api-version-selected": "2022-11-28",
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
  };
}

function send(res: ServerResponse, reply: Reply, id: string): void {
  const headers: Record<string, string> = { ...commonHeaders(id), ...reply.headers };
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(reply.body)) payload = reply.body;
  else if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  if (payload) headers["content-length"] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

const STATUS_MESSAGES: Readonly<Record<number, string>> = { 500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 429: "Too Many Requests" };

/** A local GitHub: REST API, uploads and asset downloads on 127.0.0.1, over an in-memory state the test seeds. */
export async function startGitHubApi(options: { token?: string } = {}): Promise<GitHubApiServer> {
  const state = new GitHubState(options.token ?? "ghs_test_token");
  const faults = new Faults();
  const requests: LoggedRequest[] = [];
  const internalErrors: unknown[] = [];
  let urls: Urls = { web: "", api: "", uploads: "" };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", urls.web);
    const method = req.method ?? "GET";
    const { surface, path } = surfaceOf(url.pathname);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const entry: LoggedRequest = { surface, method, path, query: Object.fromEntries(url.searchParams), status: 0, requestId: requestId() };
    requests.push(entry);

    const fault = faults.take(surface, method, path);
    if (fault && "hang" in fault) {
      entry.status = "hung";
      return;
    }
    if (fault && "drop" in fault && fault.drop === "before") {
      entry.status = "dropped";
      req.socket.destroy();
      return;
    }
    if (fault && "delayMs" in fault) await sleep(fault.delayMs);

    let reply: Reply;
    try {
      if (fault && "status" in fault) throw new ApiError(fault.status, STATUS_MESSAGES[fault.status] ?? "Injected fault");
      if (surface !== "web") authenticate(req.headers.authorization, state.token);
      const found = findRoute(ROUTES, surface, method, path);
      if (!found) throw new ApiError(404, "Not Found");
      reply = await found.route.handle({ method, path, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks), params: found.params, state, urls, url });
    } catch (error) {
      if (!(error instanceof ApiError)) internalErrors.push(error);
      const apiError = error instanceof ApiError ? error : new ApiError(500, "Server Error");
      reply = { status: apiError.status, body: apiError.body(), ...(fault && "status" in fault && fault.headers ? { headers: fault.headers } : {}) };
    }
    if (fault && "drop" in fault) {
      entry.status = "dropped";
      req.socket.destroy();
      return;
    }
    entry.status = reply.status;
    send(res, reply, entry.requestId);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      internalErrors.push(error);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const web = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  urls = { web, api: `${web}${API_PREFIX}`, uploads: `${web}${UPLOADS_PREFIX}` };
  let closed = false;
  return {
    ...urls,
    state,
    faults,
    requests,
    internalErrors,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
