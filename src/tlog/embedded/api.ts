import { ZodError } from "zod";

import { ReftrailError } from "../../util/errors.js";
import { DIGEST_ALGORITHM_BY_DIGITS, ProposedEntry, SearchIndex, SearchLogQuery } from "../../schema/rekor.js";
import { fieldPath } from "../../schema/parse.js";
import { StrictJsonError, parseStrictJson } from "../../util/strict-json.js";
import { canonicalizeEntry, entryKey } from "../kinds/entries.js";
import { leafHash } from "../merkle.js";
import type { EmbeddedLog } from "./log.js";

/** A Rekor v1 API request, as the HTTP server or an in-process client hands it over. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Uint8Array | undefined;
  /** Prefix for Location headers, e.g. `http://127.0.0.1:3000` (empty: relative). */
  readonly origin: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value) + "\n",
});

/** Rekor's error shape: `{code, message}`. */
export const apiError = (status: number, message: string, headers: Record<string, string> = {}) => json(status, { code: status, message }, headers);

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** As strictly as the CLI reads documents: a body that could mean two things to two parsers is refused. */
function parseBody(body: Uint8Array | undefined): unknown {
  if (body === undefined || body.byteLength === 0) throw new ApiError(400, "request body is empty");
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, for the strict reader to refuse.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new ApiError(400, "request body is not UTF-8");
  }
  try {
    return parseStrictJson(text);
  } catch (err) {
    throw new ApiError(400, err instanceof StrictJsonError ? `request body is not accepted: the JSON ${err.message}` : "request body is not JSON");
  }
}

function validate<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (what === "entry" && issue.path.length === 1 && issue.path[0] === "kind" && typeof kind === "string") {
    throw new ApiError(400, `error processing entry: kind '${kind}' is not supported by this log (hashedrekord and rekord 0.0.1)`);
  }
  throw new ApiError(400, `error processing ${what}: ${fieldPath(issue.path)}: ${issue.message}`);
}

function nonNegativeInteger(name: string, text: string | null): number {
  if (text === null || !/^[0-9]{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ApiError(400, `${name} must be a non-negative integer`);
  }
  return Number(text);
}

function entryResponse(log: EmbeddedLog, index: number): Record<string, unknown> | undefined {
  const stored = log.entryByIndex(index);
  return stored && { [log.entryId(stored.leaf)]: log.logEntry(stored) };
}

function entryByUuid(log: EmbeddedLog, uuid: string): Record<string, unknown> | undefined {
  const id = uuid.toLowerCase();
  if (!/^([0-9a-f]{16})?[0-9a-f]{64}$/.test(id)) throw new ApiError(400, "entry UUID must be 64 or 80 hex digits");
  if (id.length === 80 && id.slice(0, 16) !== log.treeIdHex) return undefined;
  const stored = log.entryByLeaf(Buffer.from(id.slice(-64), "hex"));
  return stored && { [log.entryId(stored.leaf)]: log.logEntry(stored) };
}

function canonicalize(proposed: ProposedEntry) {
  try {
    return canonicalizeEntry(proposed);
  } catch (err) {
    if (err instanceof ReftrailError) throw new ApiError(400, `error processing entry: ${err.message}`);
    throw err;
  }
}

async function createEntry(log: EmbeddedLog, req: ApiRequest): Promise<ApiResponse> {
  const canonical = canonicalize(validate(ProposedEntry, parseBody(req.body), "entry"));
  const { created, index } = await log.submit(canonical);
  const id = log.entryId(leafHash(canonical.body));
  const location = `${req.origin}/api/v1/log/entries/${id}`;
  if (!created) return apiError(409, `an equivalent entry already exists in the transparency log with UUID ${id}`, { location });
  return json(201, entryResponse(log, index), { etag: id, location });
}

function consistencyProof(log: EmbeddedLog, query: URLSearchParams): ApiResponse {
  const current = log.current().size;
  // As Rekor: lastSize is required, firstSize defaults to 1.
  const lastSize = nonNegativeInteger("lastSize", query.get("lastSize"));
  const firstSize = query.has("firstSize") ? nonNegativeInteger("firstSize", query.get("firstSize")) : 1;
  if (firstSize < 1) throw new ApiError(400, "firstSize must be at least 1");
  if (firstSize > lastSize) throw new ApiError(400, `firstSize(${firstSize}) must be less than lastSize(${lastSize})`);
  if (lastSize > current) throw new ApiError(400, `the tree size requested(${lastSize}) was greater than what is currently observable(${current})`);
  return json(200, log.consistency(firstSize, lastSize));
}

function retrieve(log: EmbeddedLog, req: ApiRequest): ApiResponse {
  const query = validate(SearchLogQuery, parseBody(req.body), "query");
  for (const field of ["entryUUIDs", "logIndexes", "entries"] as const) {
    if ((query[field]?.length ?? 0) > 10) return apiError(422, `at most 10 ${field} may be requested at once`);
  }
  const found: Record<string, unknown>[] = [];
  for (const uuid of query.entryUUIDs ?? []) {
    const e = entryByUuid(log, uuid);
    if (e) found.push(e);
  }
  for (const index of query.logIndexes ?? []) {
    const e = entryResponse(log, index);
    if (e) found.push(e);
  }
  for (const proposed of query.entries ?? []) {
    const canonical = canonicalize(validate(ProposedEntry, proposed, "entry"));
    const stored = log.entryByLeaf(leafHash(canonical.body));
    if (stored) found.push({ [log.entryId(stored.leaf)]: log.logEntry(stored) });
  }
  return json(200, found);
}

function searchIndex(log: EmbeddedLog, req: ApiRequest): ApiResponse {
  const query = validate(SearchIndex, parseBody(req.body), "query");
  const keys: string[] = [];
  if (query.hash !== undefined) {
    // "[sha256:]<64>", "[sha384:]<96>", "[sha512:]<128>": the prefix is implied by the length (SearchIndex refuses the rest).
    const value = query.hash.replace(/^sha(256|384|512):/, "").toLowerCase();
    keys.push(`${DIGEST_ALGORITHM_BY_DIGITS[value.length]}:${value}`);
  }
  if (query.publicKey !== undefined) {
    if (query.publicKey.format !== "x509" || query.publicKey.content === undefined) {
      throw new ApiError(400, "publicKey search needs format 'x509' and content (base64 PEM)");
    }
    keys.push(entryKey(query.publicKey.content).searchKey);
  }
  if (query.email !== undefined || query.subject !== undefined) throw new ApiError(400, "search by email or subject is not supported: the log holds keyed entries");
  if (keys.length === 0) throw new ApiError(400, "a search needs hash or publicKey");
  const sets = keys.map((k) => new Set(log.search(k)));
  const indexes =
    (query.operator ?? "or") === "and" ? [...sets[0]!].filter((i) => sets.every((s) => s.has(i))) : [...new Set(sets.flatMap((s) => [...s]))];
  return json(200, indexes.sort((a, b) => a - b).map((i) => log.entryId(log.entryByIndex(i)!.leaf)));
}

type Route = (log: EmbeddedLog, req: ApiRequest, match: RegExpExecArray) => ApiResponse | Promise<ApiResponse>;

/** Every path the API serves, first match wins, with a handler per method. */
const ROUTES: readonly { readonly path: RegExp; readonly methods: Readonly<Record<string, Route>> }[] = [
  { path: /^\/api\/v1\/log$/, methods: { GET: (log) => json(200, log.info()) } },
  {
    path: /^\/api\/v1\/log\/publicKey$/,
    methods: { GET: (log) => ({ status: 200, headers: { "content-type": "application/x-pem-file" }, body: log.identity.publicKey.export({ type: "spki", format: "pem" }) as string }) },
  },
  { path: /^\/api\/v1\/log\/proof$/, methods: { GET: (log, req) => consistencyProof(log, req.query) } },
  {
    path: /^\/api\/v1\/log\/entries$/,
    methods: {
      POST: createEntry,
      GET: (log, req) => {
        const e = entryResponse(log, nonNegativeInteger("logIndex", req.query.get("logIndex")));
        return e ? json(200, e) : apiError(404, "log index not found");
      },
    },
  },
  { path: /^\/api\/v1\/log\/entries\/retrieve$/, methods: { POST: retrieve } },
  {
    path: /^\/api\/v1\/log\/entries\/([^/]+)$/,
    methods: {
      GET: (log, _, match) => {
        const e = entryByUuid(log, match[1]!);
        return e ? json(200, e) : apiError(404, "entry not found");
      },
    },
  },
  { path: /^\/api\/v1\/index\/retrieve$/, methods: { POST: searchIndex } },
];

/**
 * Routes one request: 404 for a path the API does not have, 405 (with Allow) for one it has under
 * other methods. Every failure becomes a 4xx/5xx JSON error; nothing a client sends can crash the log.
 */
export async function handleRekorApi(log: EmbeddedLog, req: ApiRequest): Promise<ApiResponse> {
  try {
    const path = req.path.replace(/\/+$/, "");
    for (const route of ROUTES) {
      const match = route.path.exec(path);
      if (!match) continue;
      const handler = route.methods[req.method];
      if (handler) return await handler(log, req, match);
      const allowed = Object.keys(route.methods).join(", ");
      return apiError(405, `method ${req.method} is not allowed on ${req.path} (allowed: ${allowed})`, { allow: allowed });
    }
    return apiError(404, `no such endpoint: ${req.method} ${req.path}`);
  } catch (err) {
    if (err instanceof ApiError) return apiError(err.status, err.message);
    if (err instanceof ReftrailError) return apiError(400, err.message);
    return apiError(500, "internal error");
  }
}
