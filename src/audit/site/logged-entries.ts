import { publicKeyPem } from "../../keys/component-keys.js";
import type { ComponentKey } from "../../keys/registry.js";
import type { RekorClient, EntryWithId } from "../../tlog/client.js";
import type { EmbeddedLog } from "../../tlog/embedded/log.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { checkLogCheckpoint } from "../../tlog/verify-entry.js";
import { toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import type { Checkpoint } from "../../tlog/checkpoint.js";
import { INDEX_CAP, entriesUnderKeys } from "../history/entries.js";

/** A log's entries by signer, and its signed checkpoint: what the site is built from. */
export interface LoggedEntries {
  readonly log: TrustedLogKey;
  readonly publicKeyPem: string;
  /** The log's latest checkpoint, its signature verified with the log key. */
  head(): Promise<{ note: string; checkpoint: Checkpoint; treeId: bigint }>;
  /** Every entry whose body names `key` (with its inclusion proof in the latest checkpoint), past a search index that caps its answer. */
  byKey(key: ComponentKey): Promise<EntryWithId[]>;
}

const searchKeyOf = (key: ComponentKey) => entryKey(Buffer.from(publicKeyPem(key.key)).toString("base64")).searchKey;

function verifiedHead(note: string, log: TrustedLogKey) {
  return { note, ...checkLogCheckpoint(note, log.identity, log.name) };
}

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
  // An answer at the cap may have been cut: the key's entries are then found by reading the whole log.
  if (found.length < INDEX_CAP) return found;
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
      // The auditor's search: the index, or the log read whole when its answer may have been cut.
      const { checkpoint } = verifiedHead((await client.getLogInfo()).signedTreeHead, log);
      const entries: EntryWithId[] = [];
      const source = await entriesUnderKeys(client, [key], checkpoint.size, 64, async (batch) => {
        for (const { entryId, entry } of batch) entries.push({ entryId, entry });
      });
      if (source.kind === "truncated") throw new ReftrailError("INDEX_TRUNCATED", `the log's search index answered ${INDEX_CAP} entries for key ${key.keyId} (it may have cut the list) and the log is too large to read whole`, log.source);
      return entries;
    },
  };
}
