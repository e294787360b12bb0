import { publicKeyPem, sameKey } from "../../keys/component-keys.js";
import type { ComponentKey } from "../../keys/registry.js";
import { ProposedEntry, type LogEntry } from "../../schema/rekor.js";
import type { RekorClient } from "../../tlog/client.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import { ReftrailError } from "../../util/errors.js";

/**
 * The most ids a search-index answer holds: reftrail's embedded log answers at most 10,000 per key
 * (tlog/embedded/store.ts), as a bounded index must. An answer that long may have been cut.
 */
export const INDEX_CAP = 10_000;

/** Logs up to this size are read whole when the index may have cut a key's list; a larger one is not (the history says it may be incomplete). */
export const SCAN_LIMIT = 2_000_000;

/** An entry signed by one of the component's keys, with that key. */
export interface KeyedEntry {
  readonly key: ComponentKey;
  readonly entryId: string;
  readonly entry: LogEntry;
  /** The body as the scan that matched its key read it (loosely decoded: judging it decodes it strictly again), so it is not parsed twice. */
  readonly body?: ProposedEntry;
}

/** How the entries were found: the index (complete), a scan of the whole log, or an index answer that may be cut. */
export type EntrySource = { readonly kind: "index"; readonly ids: number } | { readonly kind: "scan"; readonly size: number } | { readonly kind: "truncated"; readonly size: number };

const leafOf = (entryId: string) => entryId.slice(-64).toLowerCase();

/**
 * Which of the keys signed an entry's body, with the body read (none for another signer or a body
 * that cannot be read); the key lookup cached by the body's key text, which repeats.
 */
function keyMatcher(keys: readonly ComponentKey[]): (entry: LogEntry) => { key: ComponentKey; body: ProposedEntry } | undefined {
  const byContent = new Map<string, ComponentKey | undefined>();
  return (entry) => {
    let content: string;
    let body: ProposedEntry;
    try {
      const parsed = ProposedEntry.safeParse(JSON.parse(Buffer.from(entry.body, "base64").toString("utf8")));
      if (!parsed.success) return undefined;
      body = parsed.data;
      content = body.spec.signature.publicKey.content;
    } catch {
      return undefined;
    }
    if (!byContent.has(content)) {
      let found: ComponentKey | undefined;
      try {
        const key = entryKey(content).key;
        found = keys.find((k) => sameKey(k.key, key));
      } catch (err) {
        if (!(err instanceof ReftrailError)) throw err;
      }
      byContent.set(content, found);
    }
    const key = byContent.get(content);
    return key === undefined ? undefined : { key, body };
  };
}

/**
 * Receives the entries a batch at a time (awaited, so only a batch is held at once). `newestFirst`:
 * the batches come in descending log order (a scan), else in no particular order (the index's).
 */
export type EntryBatches = (entries: KeyedEntry[], newestFirst: boolean) => Promise<void>;

/**
 * Every entry the log holds under `keys`, a batch at a time. By the log's search index (at most
 * INDEX_CAP ids a key); when an answer reaches the cap the list may have been cut, so a log of at
 * most SCAN_LIMIT entries (`size`, its verified checkpoint) is read whole, newest first, keeping the
 * entries signed by a component key.
 */
export async function entriesUnderKeys(client: RekorClient, keys: readonly ComponentKey[], size: number | undefined, batch: number, each: EntryBatches): Promise<EntrySource> {
  const lists: { key: ComponentKey; ids: string[] }[] = [];
  for (const key of keys) {
    const ids = await client.searchIndex({ publicKey: { format: "x509", content: Buffer.from(publicKeyPem(key.key)).toString("base64") } });
    if (ids.length >= INDEX_CAP) {
      if (size === undefined || size > SCAN_LIMIT) return { kind: "truncated", size: size ?? 0 };
      return scan(client, keys, size, batch, each);
    }
    lists.push({ key, ids });
  }
  const seen = new Set<string>();
  let count = 0;
  for (const { key, ids } of lists) {
    const fresh = ids.filter((id) => !seen.has(leafOf(id)));
    for (const id of fresh) seen.add(leafOf(id));
    count += fresh.length;
    for (let i = 0; i < fresh.length; i += batch) {
      await each(await Promise.all(fresh.slice(i, i + batch).map(async (id) => ({ key, ...(await client.getEntry(id)) }))), false);
    }
  }
  return { kind: "index", ids: count };
}

function scan(client: RekorClient, keys: readonly ComponentKey[], size: number, batch: number, each: EntryBatches): Promise<EntrySource> {
  return scanRange(client, keys, 0, size, batch, each);
}

/** The entries at log indexes [from, to) signed by one of `keys`, newest first, a batch at a time. */
export async function scanRange(client: RekorClient, keys: readonly ComponentKey[], from: number, to: number, batch: number, each: EntryBatches): Promise<EntrySource> {
  const signer = keyMatcher(keys);
  const size = to;
  for (let top = to; top > from; top -= batch) {
    const count = Math.min(batch, top - from);
    const fetched = await client.getEntriesInRange(top - count, top);
    const keyed: KeyedEntry[] = [];
    for (let j = fetched.length - 1; j >= 0; j--) {
      const { entryId, entry } = fetched[j]!;
      const signed = signer(entry);
      if (signed !== undefined) keyed.push({ key: signed.key, entryId, entry, body: signed.body });
    }
    await each(keyed, true);
  }
  return { kind: "scan", size };
}
