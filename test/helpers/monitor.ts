import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { hashedRekordFor } from "../../src/endorse/publish.js";
import { signStatement } from "../../src/endorse/sign.js";
import { signableStatement } from "../../src/endorse/statement.js";
import { keyIdOf, publicKeyPem } from "../../src/keys/component-keys.js";
import type { RekorClient } from "../../src/tlog/client.js";
import type { ComponentValues, ReferenceValues } from "../../src/schema/reference-values.js";

/**
 * A project as the monitor watches it, built with reftrail's own endorse code: components with their
 * keys and registry, releases whose statements are signed (RFC 6979) and logged as the endorse Action
 * logs them, and what a rogue holder of a key could log beside them.
 */

export const DAY_NS = 86_400n * 1_000_000_000n;

export interface ProjectKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface LoggedStatement {
  readonly component: string;
  readonly statement: Uint8Array;
  readonly sha256: string;
  readonly entryId: string;
  readonly logIndex: number;
}

export interface Project {
  readonly name: string;
  readonly keys: ReadonlyMap<string, ProjectKey>;
  /** The key registry document (JSON text), every key valid since 2020. */
  registryText(): string;
  /** Reference values of `version`: one artifact per component, its digest derived from the version (and `salt` for a rogue variant). */
  values(version: string, salt?: string): ReferenceValues;
  /** Signs and logs each component of `values` with the component's key. */
  log(client: RekorClient, values: ReferenceValues, validity?: { notBefore: bigint; notAfter: bigint }): Promise<LoggedStatement[]>;
}

export function project(components: readonly string[], name = "acme"): Project {
  const keys = new Map(components.map((c) => [c, generateKeyPairSync("ec", { namedCurve: "P-256" })] as const));
  return {
    name,
    keys,
    registryText: () =>
      JSON.stringify({
        version: 1,
        components: Object.fromEntries([...keys].map(([c, k]) => [c, [{ keyId: keyIdOf(k.publicKey), publicKey: publicKeyPem(k.publicKey), validFor: { start: "2020-01-01T00:00:00Z" } }]])),
      }),
    values(version, salt = "") {
      const componentValues = components.map((c): ComponentValues => {
        const digest = createHash("sha256").update(`${c} ${version} ${salt}`).digest("hex");
        return { kind: "artifact", name: c, version, claims: [], subject: { name: `${c}.bin`, digest: { sha256: digest } }, size: 1000 };
      });
      return { version: 1, release: { name, version }, generator: "test", components: componentValues };
    },
    async log(client, values, validity) {
      const now = BigInt(Date.now()) * 1_000_000n;
      const times = { issuedOn: now - DAY_NS, notBefore: validity?.notBefore ?? now - DAY_NS, notAfter: validity?.notAfter ?? now + 365n * DAY_NS };
      const logged: LoggedStatement[] = [];
      for (const c of values.components) {
        const key = keys.get(c.name)!;
        const { bytes } = signableStatement(values.release, c, times);
        const signature = signStatement(bytes, key.privateKey, key.publicKey);
        const { entryId, entry } = await client.createEntry(hashedRekordFor({ statement: bytes, signature, publicKeyPem: publicKeyPem(key.publicKey) }));
        logged.push({ component: c.name, statement: bytes, sha256: createHash("sha256").update(bytes).digest("hex"), entryId, logIndex: entry.logIndex });
      }
      return logged;
    },
  };
}
