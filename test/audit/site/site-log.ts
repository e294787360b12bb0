import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashedRekordFor } from "../../../src/endorse/publish.js";
import { signStatement } from "../../../src/endorse/sign.js";
import { signableStatement } from "../../../src/endorse/statement.js";
import { publicKeyPem } from "../../../src/keys/component-keys.js";
import type { ReferenceValues } from "../../../src/schema/reference-values.js";
import { EmbeddedLog } from "../../../src/tlog/embedded/log.js";
import { keepStatement } from "../../../src/tlog/embedded/statements.js";
import { canonicalizeEntry } from "../../../src/tlog/kinds/entries.js";
import { endorseRelease, type EndorsedRelease } from "../../helpers/release-endorsed.js";
import { ROOT } from "../../helpers/fixtures.js";

/** The example release's reference values (real firmware, kernel, launch digests). */
export const EXAMPLE_VALUES = join(ROOT, "reference-values", "2026.11.0.json");

export interface SiteLog extends EndorsedRelease {
  readonly log: string;
  /** reference-values/ with a document for every release but the rogue one. */
  readonly referenceValues: string;
  readonly values: ReferenceValues;
  readonly entries: number;
  /** The version whose endorsements match no reference-values document. */
  readonly rogueVersion: string;
}

/**
 * A log of a few hundred entries: the example release endorsed and published with the real CLI, then
 * `releases` more versions of it signed with the same component keys and logged through the embedded
 * log's batched submit (as the endorse pipeline would, minus the processes). The last one has no
 * reference-values document: the site must flag its entries.
 */
export async function buildSiteLog(home: string, releases: number): Promise<SiteLog> {
  const first = endorseRelease(EXAMPLE_VALUES, home, "2026.11.0");
  const values = JSON.parse(readFileSync(EXAMPLE_VALUES, "utf8")) as ReferenceValues;
  const referenceValues = join(home, "reference-values");
  mkdirSync(referenceValues, { recursive: true });
  writeFileSync(join(referenceValues, "2026.11.0.json"), JSON.stringify(values));
  const logDir = join(home, "log");
  const log = EmbeddedLog.open(logDir);
  const now = BigInt(Date.now()) * 1_000_000n;
  const day = 86_400n * 1_000_000_000n;
  const times = { issuedOn: now - day, notBefore: now - day, notAfter: now + 365n * day };
  const keys = new Map(values.components.map((c) => {
    const privateKey = createPrivateKey(readFileSync(join(home, "keys", `${c.name}.private.pem`)));
    return [c.name, { privateKey, publicKey: createPublicKey(privateKey) }];
  }));
  const rogueVersion = `2026.12.${releases}`;
  const pending: Promise<unknown>[] = [];
  for (let r = 1; r <= releases; r++) {
    const version = `2026.12.${r}`;
    const release = { name: values.release.name, version };
    const doc: ReferenceValues = { ...values, release, components: values.components.map((c) => ({ ...c, version })) };
    if (version !== rogueVersion) writeFileSync(join(referenceValues, `${version}.json`), JSON.stringify(doc));
    for (const component of doc.components) {
      const key = keys.get(component.name)!;
      const { bytes } = signableStatement(release, component, times);
      keepStatement(logDir, bytes);
      pending.push(log.submit(canonicalizeEntry(hashedRekordFor({ statement: bytes, signature: signStatement(bytes, key.privateKey, key.publicKey), publicKeyPem: publicKeyPem(key.publicKey) }))));
    }
  }
  await Promise.all(pending);
  const entries = log.current().size;
  log.close();
  return { ...first, log: logDir, referenceValues, values, entries, rogueVersion };
}
