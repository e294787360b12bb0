import { createHash } from "node:crypto";
import type { EndorsementContent } from "../../verify/endorsement/statement.js";
import { canonicalJson } from "../../util/canonical-json.js";

/**
 * What the history compares between consecutive entries, kept small: a history of 100,000 entries
 * keeps this per entry, not the statements.
 */
export interface EntryFingerprint {
  readonly release?: string;
  readonly subject: Readonly<Record<string, string>>;
  readonly claims: readonly string[];
  readonly validity: string;
  /** SHA-256 of each reference-values field the statement carries, by field. */
  readonly values: Readonly<Record<string, string>>;
}

/** Fields compared on their own (subject, claims) or not values at all (name, version). */
const NOT_VALUES = new Set(["name", "version", "claims", "subject"]);

export function fingerprintOf(content: EndorsementContent): EntryFingerprint {
  const own = content.reftrail;
  const values: Record<string, string> = {};
  if (own !== undefined) {
    for (const [field, value] of Object.entries(own.component)) {
      if (!NOT_VALUES.has(field)) values[field] = createHash("sha256").update(canonicalJson(value)).digest("hex");
    }
  }
  return {
    ...(own ? { release: `${own.release.name} ${own.release.version}` } : {}),
    subject: Object.fromEntries(content.subjectDigests),
    claims: [...content.claims],
    validity: `${content.validity.notBefore} .. ${content.validity.notAfter}`,
    values,
  };
}

const short = (hex: string | undefined) => (hex === undefined ? "(none)" : `${hex.slice(0, 12)}…`);

/** What changed from `older` to `newer`, in words, one item per change. */
export function changesBetween(older: EntryFingerprint, newer: EntryFingerprint): string[] {
  const changes: string[] = [];
  if (older.release !== newer.release) changes.push(`release ${older.release ?? "(none)"} → ${newer.release ?? "(none)"}`);
  for (const algorithm of [...new Set([...Object.keys(older.subject), ...Object.keys(newer.subject)])].sort()) {
    if (older.subject[algorithm] !== newer.subject[algorithm]) changes.push(`subject ${algorithm} ${short(older.subject[algorithm])} → ${short(newer.subject[algorithm])}`);
  }
  const added = newer.claims.filter((c) => !older.claims.includes(c));
  const removed = older.claims.filter((c) => !newer.claims.includes(c));
  if (added.length || removed.length) changes.push(`claims ${[...added.map((c) => `+${c}`), ...removed.map((c) => `-${c}`)].join(" ")}`);
  if (older.validity !== newer.validity) changes.push(`validity ${older.validity} → ${newer.validity}`);
  const fields = [...new Set([...Object.keys(older.values), ...Object.keys(newer.values)])].sort();
  const changed = fields.filter((f) => older.values[f] !== newer.values[f]);
  if (changed.length) changes.push(`values ${changed.join(", ")}`);
  return changes;
}
