import type { KeyObject } from "node:crypto";
import { publicKeyPem } from "../../keys/component-keys.js";
import type { RekorClient, EntryWithId } from "../../tlog/client.js";
import type { EmbeddedLog } from "../../tlog/embedded/log.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { checkLogCheckpoint } from "../../tlog/verify-entry.js";
import { toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import type { Checkpoint } from "../../tlog/checkpoint.js";

/** A log's entries by signer, and its signed checkpoint: what the site is built from. */
export interface LoggedEntries {
  readonly log: TrustedLogKey;
  readonly publicKeyPem: string;
  /** The log's latest checkpoint, its signature verified with the log key. */
  head(): Promise<{ note: string; checkpoint: Checkpoint; treeId: bigint }>;
  /** Every entry whose body names `key` (with its inclusion proof in the latest checkpoint); a Rekor server's search index may cap how many it names. */
  byKey(key: KeyObject): Promise<EntryWithId[]>;
}

const searchKeyOf = (key: KeyObject) => entryKey(Buffer.from(publicKeyPem(key)).toString("base64")).searchKey;

function verifiedHead(note: string, log: TrustedLogKey) {
  return { note, ...checkLogCheckpoint(note, log.identity, log.name) };
}

/**
 * The most indexes the embedded log's search answers (store.ts, as Rekor caps its search index): a
 * key with that many entries may have more, and its entries are then found by reading the whole log.
 */
const EMBEDDED_SEARCH_CAP = 10_000;

/** The signer's search key of a stored body, or undefined for a body that names no key reftrail reads. */
function bodySearchKey(body: Uint8Array): string | undefined {
  try {
    const content = (JSON.parse(Buffer.from(body).toString("utf8")) as { spec?: { signature?: { publicKey?: { content?: unknown } } } }).spec?.signature?.publicKey?.content;
    return typeof content === "string" ? entryKey(content).searchKey : undefined;
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof ReftrailError) return undefined;
    throw err;
  }
}

function indexesByKey(embedded: EmbeddedLog, searchKey: string): number[] {
  const found = embedded.search(searchKey);
  if (found.length < EMBEDDED_SEARCH_CAP) return found;
  const all: number[] = [];
  const size = embedded.current().size;
  for (let i = 0; i < size; i++) {
    const stored = embedded.entryByIndex(i);
    if (stored !== undefined && bodySearchKey(stored.body) === searchKey) all.push(i);
  }
  return all;
}

/** An embedded log read directly (no HTTP, no JSON round trip): a site of 100,000 entries builds in seconds. */
export function embeddedEntries(embedded: EmbeddedLog, source: string): LoggedEntries {
  const log: TrustedLogKey = { identity: embedded.identity, name: embedded.name, source };
  return {
    log,
    publicKeyPem: publicKeyPem(embedded.identity.publicKey),
    head: () => Promise.resolve(verifiedHead(embedded.current().note, log)),
    byKey(key) {
      return Promise.resolve(
        indexesByKey(embedded, searchKeyOf(key)).map((index) => {
          const stored = embedded.entryByIndex(index)!;
          return { entryId: embedded.treeIdHex + toHex(stored.leaf), entry: embedded.logEntry(stored) };
        }),
      );
    },
  };
}

/** A Rekor v1 server: the search index by public key, then each entry. */
export function remoteEntries(client: RekorClient, log: TrustedLogKey): LoggedEntries {
  return {
    log,
    publicKeyPem: publicKeyPem(log.identity.publicKey),
    head: async () => verifiedHead((await client.getLogInfo()).signedTreeHead, log),
    async byKey(key) {
      const uuids = await client.searchIndex({ publicKey: { format: "x509", content: Buffer.from(publicKeyPem(key)).toString("base64") } });
      const entries: EntryWithId[] = [];
      for (const uuid of uuids) entries.push(await client.getEntry(uuid));
      return entries;
    },
  };
}
