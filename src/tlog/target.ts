import { existsSync } from "node:fs";
import { ReftrailError, InputError } from "../util/errors.js";
import { RekorClient, displayUrl, httpTransport } from "./client.js";
import { EmbeddedLog, initLog, logPaths } from "./embedded/log.js";
import { inProcessTransport } from "./embedded/in-process.js";
import { keepStatement } from "./embedded/statements.js";
import { storageError } from "./embedded/store.js";
import { logIdentity, publicKeyFromPem, type TrustedLogKey } from "./keys.js";
import { PUBLIC_REKOR_KEY_PEM, isPublicRekor } from "./public-rekor.js";

/**
 * The log a release is published to or a monitor reads: a Rekor v1 server (public, self-hosted, or
 * `reftrail log serve`) or an embedded log folder. The CLI and the GitHub Actions open it alike.
 */
export interface LogTarget {
  readonly client: RekorClient;
  readonly log: TrustedLogKey;
  /** An embedded log this call created (there was none in the folder). */
  readonly created?: { readonly dir: string; readonly origin: string };
  /** The embedded log's folder: it keeps each statement it logs (a Rekor entry holds only its hash). */
  readonly dir?: string;
  /** For a server: the key it served was trusted because none was pinned. */
  readonly servedKeyTrusted?: boolean;
  keep?(statement: Uint8Array): void;
  close(): void;
}

export interface RemoteLogOptions {
  /**
   * The server's public key (PEM) and where it came from. Without it the public Rekor's key is pinned
   * (public-rekor.ts); any other server's served key is trusted (`servedKeyTrusted`).
   */
  readonly pinnedKey?: { readonly pem: string; readonly subject: string };
  /** The name its checkpoints are signed with; default: as they say. */
  readonly name?: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** What names the URL in an error (an option or input name). */
  readonly subject: string;
}

/** Checks that `url` is an http(s) URL; the error never shows credentials in it. */
export function checkLogUrl(url: string, subject: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError("LOG_URL", `'${displayUrl(url)}' is not a URL`, subject);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new InputError("LOG_URL", "must be an http(s) URL", subject);
  return parsed;
}

export async function remoteLogTarget(url: string, options: RemoteLogOptions): Promise<LogTarget> {
  checkLogUrl(url, options.subject);
  // Credentials in the URL go to the server as Basic authorization, never to the terminal or a report.
  const shown = displayUrl(url).replace(/\/+$/, "");
  const client = new RekorClient(httpTransport(url, { timeoutMs: options.timeoutMs, retries: options.retries }));
  const pinned = options.pinnedKey ?? (isPublicRekor(url) ? { pem: PUBLIC_REKOR_KEY_PEM, subject: "the pinned key of rekor.sigstore.dev" } : undefined);
  const pem = pinned?.pem ?? (await client.getPublicKey());
  let key;
  try {
    key = publicKeyFromPem(pem);
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
    throw new InputError("KEY_FILE", err.message, pinned?.subject ?? `${shown}/api/v1/log/publicKey`);
  }
  // The log's checkpoint name is not the URL's host in general (`reftrail log serve` signs as its
  // log name, e.g. reftrail.local, whatever address it listens on): accept the name the checkpoint
  // gives, signed with the pinned key, unless `name` pins it.
  return {
    client,
    log: { identity: logIdentity(key), ...(options.name !== undefined ? { name: options.name } : {}), source: shown },
    servedKeyTrusted: pinned === undefined,
    close() {},
  };
}

/** Names the log folder in a failure of the log, and states a SQLite failure in one line naming log.db. */
export function aboutLogFolder(err: unknown, dir: string, subject: string): unknown {
  const mapped = storageError(err, logPaths(dir).database);
  return mapped instanceof ReftrailError ? mapped.about(subject) : mapped;
}

/** Opens the embedded log in `dir`; `create` makes one there if there is none. */
export function embeddedLogTarget(dir: string, subject: string, create: boolean): LogTarget {
  const creating = create && !existsSync(logPaths(dir).database);
  let log: EmbeddedLog;
  try {
    if (creating) initLog(dir);
    log = EmbeddedLog.open(dir);
  } catch (err) {
    throw aboutLogFolder(err, dir, subject);
  }
  return {
    client: new RekorClient(inProcessTransport(log)),
    log: { identity: log.identity, name: log.name, source: `embedded log ${dir}` },
    ...(creating ? { created: { dir, origin: log.origin } } : {}),
    dir,
    keep: (statement) => keepStatement(dir, statement),
    close: () => log.close(),
  };
}
