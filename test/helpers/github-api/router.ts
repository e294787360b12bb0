import type { IncomingHttpHeaders } from "node:http";
import { ApiError, notFound } from "./errors.js";
import type { GitHubState, Repository } from "./state.js";

/** Where a request arrived: the REST API, the uploads host, or the web host that serves asset downloads. */
export type Surface = "api" | "uploads" | "web";

/** The server's public addresses, GitHub Enterprise Server style (`/api/v3`, `/api/uploads`, web at the root). */
export interface Urls {
  readonly web: string;
  readonly api: string;
  readonly uploads: string;
}

export interface RequestContext {
  readonly method: string;
  /** The path below the surface's prefix, e.g. `/repos/o/r/releases/1`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly params: Readonly<Record<string, string>>;
  readonly state: GitHubState;
  readonly urls: Urls;
  /** The absolute URL the client asked for (pagination links are built from it). */
  readonly url: URL;
}

export interface Reply {
  status: number;
  /** A JSON value, raw bytes, or nothing (204, 302). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  readonly surface: Surface;
  readonly method: string;
  /** Named groups become `params`. */
  readonly pattern: RegExp;
  handle(context: RequestContext): Reply | Promise<Reply>;
}

export function findRoute(routes: readonly Route[], surface: Surface, method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.surface !== surface || route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: Object.fromEntries(Object.entries(match.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)])) };
  }
  return undefined;
}

export type RepositoryHandler = (context: RequestContext, repository: Repository, docs: string) => Reply | Promise<Reply>;

/**
 * A route below `/repos/{owner}/{repo}`: `tail` is a regular expression source (named groups become params), `docs`
 * the endpoint's page on docs.github.com, named by every error it answers. An unknown repository is GitHub's 404.
 */
export function repositoryRoute(method: string, tail: string, docs: string, handle: RepositoryHandler, surface: Surface = "api"): Route {
  return {
    surface,
    method,
    pattern: new RegExp(`^/repos/(?<owner>[^/]+)/(?<repo>[^/]+)${tail}$`),
    handle: (context) => handle(context, repositoryOf(context, docs), docs),
  };
}

/** 201 Created with the `Location` of the new resource, as GitHub answers every creation. */
export function created(json: Record<string, unknown>): Reply {
  return { status: 201, body: json, headers: { location: String(json["url"]) } };
}

/** The `state` filter of the list endpoints: open (the default), closed or all; anything else is a 422. */
export function stateFilter(context: RequestContext, resource: string, docs: string): "open" | "closed" | "all" {
  const state = context.query.get("state") ?? "open";
  if (state !== "open" && state !== "closed" && state !== "all") throw new ApiError(422, "Validation Failed", docs, [{ resource, field: "state", code: "invalid" }]);
  return state;
}

/** The repository named by the `owner` and `repo` params, or GitHub's 404. */
export function repositoryOf(context: RequestContext, docs?: string): Repository {
  const repository = context.state.repository(context.params["owner"] ?? "", context.params["repo"] ?? "");
  if (!repository) throw notFound(docs);
  return repository;
}

/** The request body as a JSON object; GitHub answers 400 "Problems parsing JSON" otherwise. */
export function jsonBody(context: RequestContext): Record<string, unknown> {
  if (context.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(context.body.toString("utf8"));
  } catch {
    throw new ApiError(400, "Problems parsing JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ApiError(400, "Problems parsing JSON");
  return value as Record<string, unknown>;
}

/** A required string field of a JSON body: 422 with `missing_field` when absent, as GitHub validates. */
export function requiredString(body: Record<string, unknown>, field: string, resource: string, docs?: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") {
    throw new ApiError(422, "Validation Failed", docs, [{ resource, field, code: value === undefined ? "missing_field" : "invalid" }]);
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  return typeof value === "string" ? value : undefined;
}

export function numericParam(context: RequestContext, name: string): number {
  const value = Number(context.params[name]);
  if (!Number.isSafeInteger(value)) throw notFound();
  return value;
}
