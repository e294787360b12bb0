import type { Transport } from "./client.js";
import { TlogError } from "./errors.js";

export interface HttpTransportOptions {
  /** Per-attempt timeout, answer included. */
  readonly timeoutMs?: number;
  /** Further attempts after a network error, a timeout, 408, 429 or a 5xx. */
  readonly retries?: number;
  /** First back-off delay; doubles after each attempt. */
  readonly backoffMs?: number;
  /** Largest answer read; anything longer fails (tests use a small one). */
  readonly maxResponseBytes?: number;
}

/** A log entry, proof or search result is a few KiB; 1 MiB leaves room and still bounds memory. */
export const MAX_RESPONSE_BYTES = 1 << 20;

/** A URL as it may be shown: without the user name and password it may carry. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    // Not a URL: still drop anything that looks like `user:pass@` after the `//`.
    return url.replace(/\/\/[^/?#]*@/, "//");
  }
}

/** The URL without credentials, and the credentials as an Authorization header (fetch refuses a URL that carries them). */
function splitCredentials(baseUrl: string): { base: string; authorization: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    return { base: baseUrl.replace(/\/+$/, ""), authorization: undefined };
  }
  const authorization =
    parsed.username || parsed.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64")}`
      : undefined;
  return { base: displayUrl(baseUrl).replace(/\/+$/, ""), authorization };
}

const TLS_CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ERR_TLS_CERT/;

/** A failure that another attempt will not cure: retrying would only delay the message. */
class PermanentFailure extends Error {}

/**
 * What went wrong on the network, from the code fetch's cause carries (its own message is always
 * "fetch failed"). Never the cause's message: it may quote the URL.
 */
function networkCause(err: unknown, timeoutMs: number): { reason: string; permanent: boolean } {
  if (err instanceof PermanentFailure) return { reason: err.message, permanent: true };
  if ((err as Error | undefined)?.name === "TimeoutError") return { reason: `no answer within ${timeoutMs} ms (timeout)`, permanent: false };
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  const code = String(cause?.code ?? cause?.errors?.[0]?.code ?? "");
  if (code === "ENOTFOUND" || code === "EAI_NONAME") return { reason: `DNS: host name not found (${code})`, permanent: true };
  if (code === "EAI_AGAIN") return { reason: `DNS: name lookup failed, no DNS server answered (${code})`, permanent: false };
  if (TLS_CERTIFICATE_CODES.test(code)) return { reason: `TLS certificate problem (${code})`, permanent: true };
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    UND_ERR_SOCKET: "connection closed by the server",
    EPIPE: "connection closed by the server",
    ETIMEDOUT: "connection timed out",
    UND_ERR_CONNECT_TIMEOUT: "connection timed out",
    UND_ERR_HEADERS_TIMEOUT: "timeout waiting for the answer's headers",
    UND_ERR_BODY_TIMEOUT: "timeout waiting for the answer's body",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
  };
  // fetch refuses the ports browsers block (9, 25, 6000 …) before connecting, saying only "bad port".
  if (!code && (cause as { message?: unknown } | undefined)?.message === "bad port") return { reason: "the port is one fetch refuses to connect to (a port browsers block): use another", permanent: true };
  if (Object.hasOwn(reasons, code)) return { reason: `${reasons[code]} (${code})`, permanent: false };
  return { reason: code ? `network error (${code})` : `network error (${(err as Error | undefined)?.name ?? "unknown"})`, permanent: false };
}

/** Reads an answer's body, failing once it passes `limit` bytes instead of buffering whatever is sent. */
async function boundedText(res: Response, limit: number): Promise<string> {
  const tooLong = () => new PermanentFailure(`the answer exceeds the ${limit}-byte limit for a log response`);
  if (Number(res.headers.get("content-length") ?? 0) > limit) {
    await res.body?.cancel();
    throw tooLong();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader!.cancel();
      throw tooLong();
    }
    chunks.push(next.value);
  }
  // ignoreBOM keeps a byte-order mark for the strict JSON reader to refuse, as in files.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(Buffer.concat(chunks));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * fetch with a timeout on every attempt, a bounded answer and exponential back-off on transient
 * failures. Credentials in the URL go in an Authorization header and never into a message.
 */
export function httpTransport(baseUrl: string, options: HttpTransportOptions = {}): Transport {
  const { timeoutMs = 30_000, retries = 3, backoffMs = 250, maxResponseBytes = MAX_RESPONSE_BYTES } = options;
  const { base, authorization } = splitCredentials(baseUrl);
  return {
    description: base,
    async request(method, path, body) {
      let lastError = "no attempt made";
      let attempts = 0;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
        attempts++;
        try {
          const res = await fetch(base + path, {
            method,
            headers: {
              accept: "application/json",
              ...(body === undefined ? {} : { "content-type": "application/json" }),
              ...(authorization === undefined ? {} : { authorization }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(timeoutMs),
          });
          const text = await boundedText(res, maxResponseBytes);
          if (res.status === 408 || res.status === 429 || res.status >= 500) {
            lastError = `HTTP ${res.status}`;
            continue;
          }
          return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, body: text };
        } catch (err) {
          const { reason, permanent } = networkCause(err, timeoutMs);
          lastError = reason;
          if (permanent) break;
        }
      }
      throw new TlogError("REKOR_UNAVAILABLE", `${method} ${base}${path} failed after ${attempts} attempt(s): ${lastError}`);
    },
  };
}
