import { createHash } from "node:crypto";
import type { RekorClient } from "../../tlog/client.js";
import { ProposedEntry } from "../../schema/rekor.js";
import type { EvidencePolicy } from "../../schema/evidence-policy.js";
import type { ComponentKey } from "../../keys/registry.js";
import type { KeySource } from "../../keys/key-source.js";
import type { FoundEndorsement } from "./endorsements.js";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Statements by the SHA-256 of their exact bytes, as a hashedrekord or rekord body names them. */
export type StatementStore = ReadonlyMap<string, Uint8Array>;

export function statementStore(statements: Iterable<Uint8Array>): StatementStore {
  return new Map([...statements].map((s) => [createHash("sha256").update(s).digest("hex"), s]));
}

/** A logged entry signed by a component key whose statement the store does not hold. */
export interface UnavailableStatement {
  readonly component: string;
  readonly source: string;
  readonly sha256: string;
}

/**
 * Every entry the log holds under the keys the policy's endorsed components may be signed with,
 * found through the log's search index by public key (Rekor v1 `/api/v1/index/retrieve`, which
 * reftrail's embedded log serves too), each paired with its statement from `store`. The log only
 * holds the statement's hash; an entry whose statement is not in the store is returned as
 * unavailable, so the verdict can say what it could not look at. Nothing here is trusted: each
 * entry is verified in full (signature, SET, inclusion proof, checkpoint) afterwards.
 */
export async function endorsementsFromLog(
  client: RekorClient,
  policy: EvidencePolicy,
  keys: KeySource,
  store: StatementStore,
  logName: string,
): Promise<{ found: FoundEndorsement[]; unavailable: UnavailableStatement[] }> {
  const found: FoundEndorsement[] = [];
  const unavailable: UnavailableStatement[] = [];
  const seen = new Set<string>();
  for (const [component, rule] of Object.entries(policy.components)) {
    if (rule.endorsement === undefined) continue;
    const componentKeys: readonly ComponentKey[] = keys.kind === "keys" ? keys.keys : (keys.registry.keysByComponent.get(component) ?? []);
    for (const { key } of componentKeys) {
      const pem = key.export({ type: "spki", format: "pem" }) as string;
      const uuids = await client.searchIndex({ publicKey: { format: "x509", content: Buffer.from(pem).toString("base64") } });
      for (const uuid of [...uuids].sort()) {
        if (seen.has(uuid)) continue;
        seen.add(uuid);
        const { entryId, entry } = await client.getEntry(uuid);
        const source = `${logName} index ${entry.logIndex}`;
        const body = ProposedEntry.safeParse(parseJson(Buffer.from(entry.body, "base64").toString("utf8")));
        // A body of another kind cannot be an endorsement; it is left for the auditor.
        if (!body.success) continue;
        const { hash } = body.data.spec.data;
        const statement = hash.algorithm === "sha256" ? store.get(hash.value) : undefined;
        if (statement === undefined) {
          unavailable.push({ component, source, sha256: hash.value });
          continue;
        }
        const signature = Buffer.from(body.data.spec.signature.content, "base64");
        found.push({ source, logged: { statement, signature, entry, entryId, form: "logentry" } });
      }
    }
  }
  return { found, unavailable };
}
