import type { z } from "zod";
import { ConsistencyProof, LogEntryResponse, LogInfo, type LogEntry, type ProposedEntry } from "../schema/rekor.js";
import { StrictJsonError, parseStrictJson } from "../util/strict-json.js";
import { TlogError } from "./errors.js";

/** A Rekor v1 API response as the client sees it, whatever carried it. */
export interface TransportResponse {
  readonly status: number;
  readonly header: (name: string) => string | undefined;
  readonly body: string;
}

/** How requests reach a log: HTTP (public or self-hosted Rekor, `reftrail log serve`) or in-process. */
export interface Transport {
  readonly description: string;
  request(method: "GET" | "POST", path: string, body?: unknown): Promise<TransportResponse>;
  /**
   * Only a transport to a log in this very process (the embedded log read in-process) has this:
   * its answers are objects this process built, typed by construction, so they are handed over as
   * they are instead of being written as JSON text and parsed back. What they say is verified all
   * the same. A transport carrying bytes from elsewhere (HTTP, a recording) must not have it.
   */
  readonly local?: LocalLog;
}

/** The reads a log in this process answers with typed objects (see Transport.local). */
export interface LocalLog {
  /** The entries at log indexes [from, to) that exist, in index order. */
  entriesInRange(from: number, to: number): EntryWithId[];
}

export { displayUrl, httpTransport, MAX_RESPONSE_BYTES, type HttpTransportOptions } from "./http-transport.js";

/** A response body as JSON, read as strictly as the documents reftrail reads (see strict-json.ts). */
function strictJson(res: TransportResponse, what: string): unknown {
  try {
    return parseStrictJson(res.body);
  } catch (err) {
    if (err instanceof StrictJsonError) throw new TlogError("REKOR_RESPONSE", `${what}: the log's answer is not accepted: the JSON ${err.message}`);
    throw new TlogError("REKOR_RESPONSE", `${what}: the log answered with something that is not JSON`);
  }
}

function parse<T>(schema: z.ZodType<T>, res: TransportResponse, what: string): T {
  const result = schema.safeParse(strictJson(res, what));
  if (!result.success) throw new TlogError("REKOR_RESPONSE", `${what}: unexpected response shape (${result.error.issues[0]!.message})`);
  return result.data;
}

function failure(res: TransportResponse, what: string): TlogError {
  let message = res.body.trim().slice(0, 300);
  try {
    message = String((JSON.parse(res.body) as { message?: unknown }).message ?? message);
  } catch {
    // keep the raw text
  }
  return new TlogError("REKOR_RESPONSE", `${what}: the log answered ${res.status}: ${message}`);
}

export interface EntryWithId {
  readonly entryId: string;
  readonly entry: LogEntry;
}

function single(response: Record<string, LogEntry>): EntryWithId {
  const [entryId, entry] = Object.entries(response)[0]!;
  return { entryId, entry };
}

/**
 * A Rekor v1 client. The same code talks to public Rekor, a self-hosted Rekor and reftrail's embedded
 * log; every response is checked against the API's schema before use (verification of what it says
 * is the caller's: see verify-entry.ts).
 */
export class RekorClient {
  constructor(readonly transport: Transport) {}

  /** Logs an entry. If an equivalent one exists (409), fetches and returns it: publishing is idempotent. */
  async createEntry(proposed: ProposedEntry): Promise<EntryWithId & { created: boolean }> {
    const res = await this.transport.request("POST", "/api/v1/log/entries", proposed);
    if (res.status === 201) return { ...single(parse(LogEntryResponse, res, "create entry")), created: true };
    if (res.status === 409) {
      const uuid = res.header("location")?.split("/").pop();
      if (!uuid) throw new TlogError("REKOR_RESPONSE", "create entry: 409 without a Location naming the existing entry");
      return { ...(await this.getEntry(uuid)), created: false };
    }
    throw failure(res, "create entry");
  }

  async getEntry(uuid: string): Promise<EntryWithId> {
    const res = await this.transport.request("GET", `/api/v1/log/entries/${encodeURIComponent(uuid)}`);
    if (res.status !== 200) throw failure(res, `get entry ${uuid}`);
    return single(parse(LogEntryResponse, res, `get entry ${uuid}`));
  }

  async getEntryByIndex(logIndex: number): Promise<EntryWithId> {
    const res = await this.transport.request("GET", `/api/v1/log/entries?logIndex=${logIndex}`);
    if (res.status !== 200) throw failure(res, `get entry at index ${logIndex}`);
    return single(parse(LogEntryResponse, res, `get entry at index ${logIndex}`));
  }

  /**
   * The entries at log indexes [from, to), in index order; an index the log does not have is an
   * error, as for getEntryByIndex. From a log in this process one read of typed objects, else one
   * strictly parsed request per index.
   */
  async getEntriesInRange(from: number, to: number): Promise<EntryWithId[]> {
    const local = this.transport.local;
    if (local === undefined) return Promise.all(Array.from({ length: to - from }, (_, j) => this.getEntryByIndex(from + j)));
    const entries = local.entriesInRange(from, to);
    const missing = entries.length === to - from ? undefined : entries.findIndex((e, j) => e.entry.logIndex !== from + j);
    if (missing !== undefined) throw new TlogError("REKOR_RESPONSE", `get entry at index ${from + (missing === -1 ? entries.length : missing)}: the log answered 404: log index not found`);
    return entries;
  }

  async getLogInfo(): Promise<LogInfo> {
    const res = await this.transport.request("GET", "/api/v1/log");
    if (res.status !== 200) throw failure(res, "log info");
    return parse(LogInfo, res, "log info");
  }

  async getConsistencyProof(firstSize: number, lastSize: number): Promise<{ rootHash: string; hashes: string[] }> {
    const res = await this.transport.request("GET", `/api/v1/log/proof?firstSize=${firstSize}&lastSize=${lastSize}`);
    if (res.status !== 200) throw failure(res, `consistency proof ${firstSize}->${lastSize}`);
    return parse(ConsistencyProof, res, "consistency proof");
  }

  async getPublicKey(): Promise<string> {
    const res = await this.transport.request("GET", "/api/v1/log/publicKey");
    if (res.status !== 200) throw failure(res, "log public key");
    return res.body;
  }

  /** Entry ids matching an artifact hash and/or a signer's key (Rekor's index; best effort on public Rekor). */
  async searchIndex(query: { hash?: string; publicKey?: { format: "x509"; content: string }; operator?: "and" | "or" }): Promise<string[]> {
    const res = await this.transport.request("POST", "/api/v1/index/retrieve", query);
    if (res.status !== 200) throw failure(res, "search index");
    const ids = strictJson(res, "search index");
    if (!Array.isArray(ids) || !ids.every((i) => typeof i === "string")) throw new TlogError("REKOR_RESPONSE", "search index: expected an array of entry ids");
    return ids as string[];
  }
}
