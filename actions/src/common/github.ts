import { getOctokit } from "@actions/github";
import { setTimeout as sleep } from "node:timers/promises";
import { ActionError } from "./errors.js";

export type GitHub = ReturnType<typeof getOctokit>;

export interface GitHubOptions {
  readonly token: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** Retries of a read (GET) after a network error, a timeout, a 429 or a 5xx. */
  readonly retries: number;
}

const RETRIED_STATUS = (status: number) => status === 429 || status >= 500;

/** The longest wait for a rate limit the Action sits out; a longer one fails the run (re-run it later). */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * docs.github.com "Rate limits for the REST API": a 403 or 429 with `retry-after` (seconds), or with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds), means wait and try again. The
 * wait in ms, or undefined for any other failure (or a wait too long to sit out).
 */
function rateLimitWait(err: unknown): number | undefined {
  const status = statusOf(err);
  if (status !== 403 && status !== 429) return undefined;
  const headers = typeof err === "object" && err !== null && "response" in err ? (err.response as { headers?: Record<string, string | number | undefined> } | undefined)?.headers : undefined;
  const retryAfter = Number(headers?.["retry-after"]);
  const wait =
    Number.isFinite(retryAfter) && headers?.["retry-after"] !== undefined
      ? retryAfter * 1000
      : String(headers?.["x-ratelimit-remaining"]) === "0" && Number.isFinite(Number(headers?.["x-ratelimit-reset"]))
        ? Number(headers?.["x-ratelimit-reset"]) * 1000 - Date.now()
        : undefined;
  return wait === undefined || wait > MAX_RATE_LIMIT_WAIT_MS ? undefined : Math.max(wait, 0);
}

/** An HTTP status the request failed with, if it got one. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number") return err.status;
  return undefined;
}

/**
 * Octokit for the repository the workflow runs in, at `GITHUB_API_URL` (set by the runner: github.com,
 * GitHub Enterprise Server, or a test server), through the proxy-aware fetch @actions/github sets up.
 * Every request gets a timeout; reads are retried with back-off. Writes are not: each write of the
 * Actions is made idempotent by reading first, so a failed run is repeated as a whole instead.
 */
export function gitHubClient(options: GitHubOptions): GitHub {
  const baseUrl = process.env["GITHUB_API_URL"] || "https://api.github.com";
  // The fetch @actions/github sets up (proxy-aware), wrapped with the timeout. Set at construction:
  // options a request hook passes on are not used by the request it wraps.
  const configured = getOctokit(options.token, { baseUrl }).request.endpoint.DEFAULTS.request?.fetch as Fetch | undefined;
  const octokit = getOctokit(options.token, { baseUrl, request: { fetch: withTimeout(configured, options.timeoutMs) } });
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const reads = requestOptions.method === "GET" || requestOptions.method === "HEAD";
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (err) {
        const status = statusOf(err);
        const limited = rateLimitWait(err);
        // A status below 500 is the API's answer, not a transient failure, except a rate limit.
        const transient = status === undefined || status === 0 || RETRIED_STATUS(status) || limited !== undefined;
        if (!reads || !transient || attempt >= options.retries) throw describeFailure(err, `${requestOptions.method} ${requestOptions.url}`);
        await sleep(limited ?? Math.min(250 * 2 ** attempt, 4000));
      }
    }
  });
  return octokit;
}

type Fetch = typeof globalThis.fetch;

/** A fetch whose every call gives up after `timeoutMs` (a fresh signal per attempt). */
function withTimeout(fetch: Fetch | undefined, timeoutMs: number): Fetch {
  const inner = fetch ?? globalThis.fetch;
  return async (input, init) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await inner(input, { ...init, signal });
    } catch (err) {
      // As an AbortError, which Octokit passes on as it is (anything else becomes a bare "HTTP 500").
      if (signal.aborted) throw Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { name: "AbortError" });
      throw err;
    }
  };
}

/** One line for a failed request: the endpoint, the status and GitHub's message (no stack, no token). */
function describeFailure(err: unknown, endpoint: string): unknown {
  // Octokit reports a timeout as the AbortSignal's error and a network failure as a RequestError,
  // both with status 500; a status with a response is the API's answer, which callers look at.
  const name = err instanceof Error ? err.name : "";
  if (name === "AbortError") return new ActionError("GITHUB_UNREACHABLE", `${endpoint}: ${err instanceof Error ? err.message : "no answer"} (timed out)`, "GitHub API");
  if (typeof err === "object" && err !== null && "response" in err && err.response !== undefined) return err;
  return new ActionError("GITHUB_UNREACHABLE", `${endpoint}: ${err instanceof Error ? err.message : String(err)}`, "GitHub API");
}

/** The one-line reason of a GitHub API failure, for an error message. */
export function gitHubFailure(err: unknown, what: string): ActionError {
  if (err instanceof ActionError) return err;
  const status = statusOf(err);
  const message = err instanceof Error ? err.message.split("\n")[0]!.replace(/ - https:\/\/docs\.github\.com\S*/, "") : String(err);
  return new ActionError("GITHUB_API", `${what} failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${message}`, "GitHub API");
}
