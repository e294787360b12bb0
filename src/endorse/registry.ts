import type { KeyObject } from "node:crypto";
import { KeyRegistry, type RegisteredKey } from "../schema/key-registry.js";
import { parseDocument } from "../schema/parse.js";
import { canonicalJson } from "../util/canonical-json.js";
import { formatRfc3339, parseRfc3339 } from "../util/rfc3339.js";
import { EndorseError } from "./errors.js";
import { keyIdOf, parsePublicKey, publicKeyPem, sameKey } from "./keys.js";

/** A public key a verifier accepts for a component, with the window in which it may have signed. */
export interface ComponentKey {
  readonly key: KeyObject;
  readonly keyId: string;
  /** Inclusive bounds in ns since the epoch; absent for a key given directly on the command line. */
  readonly validFor?: { readonly start: bigint; readonly end?: bigint };
  /** Where the key came from, for messages: a file or `registry:<component>`. */
  readonly source: string;
}

export interface LoadedRegistry {
  readonly registry: KeyRegistry;
  readonly keysByComponent: ReadonlyMap<string, readonly ComponentKey[]>;
}

/**
 * Parses and checks a key registry: every key is a P-256 SPKI PEM whose SHA-256 is its stated id,
 * windows are ordered, and no component lists the same key twice. A registry that fails any of
 * these is refused whole: a verifier must not guess which entries to trust.
 */
export function parseKeyRegistry(text: string, what: string): LoadedRegistry {
  const registry = parseDocument(KeyRegistry, text, what);
  const keysByComponent = new Map<string, ComponentKey[]>();
  for (const [component, entries] of Object.entries(registry.components)) {
    const keys: ComponentKey[] = [];
    entries.forEach((entry, i) => {
      const field = `components.${component}[${i}]`;
      const key = (() => {
        try {
          return parsePublicKey(entry.publicKey, `${field}.publicKey`);
        } catch (err) {
          throw err instanceof EndorseError ? new EndorseError("REGISTRY", err.message, what) : err;
        }
      })();
      const keyId = keyIdOf(key);
      if (keyId !== entry.keyId) throw new EndorseError("REGISTRY", `${field}.keyId is ${entry.keyId} but the key's SPKI SHA-256 is ${keyId}`, what);
      // By point, not only by id: a compressed and an uncompressed SPKI of one key have different ids.
      if (keys.some((k) => k.keyId === keyId || sameKey(k.key, key))) throw new EndorseError("REGISTRY", `${field} lists key ${keyId} a second time`, what);
      const start = parseRfc3339(entry.validFor.start)!;
      const end = entry.validFor.end === undefined ? undefined : parseRfc3339(entry.validFor.end)!;
      if (end !== undefined && end < start) throw new EndorseError("REGISTRY", `${field}.validFor ends before it starts`, what);
      keys.push({ key, keyId, validFor: end === undefined ? { start } : { start, end }, source: `${what}:${component}` });
    });
    keysByComponent.set(component, keys);
  }
  return { registry, keysByComponent };
}

/**
 * Sets the window of a key already listed for `component` (rotation: give the old key an end), or
 * adds it. Windows are validated as on load.
 */
export function setKeyWindow(registry: KeyRegistry | undefined, component: string, publicKey: KeyObject, start: bigint, end: bigint | undefined, comment?: string): { registry: KeyRegistry; change: "added" | "updated" | "unchanged" } {
  if (end !== undefined && end < start) throw new EndorseError("REGISTRY", "the key's validity would end before it starts");
  const base: KeyRegistry = registry ?? { version: 1, components: {} };
  const keyId = keyIdOf(publicKey);
  const existing = base.components[component] ?? [];
  const entry: RegisteredKey = {
    keyId,
    publicKey: publicKeyPem(publicKey),
    validFor: { start: formatRfc3339(start), ...(end !== undefined ? { end: formatRfc3339(end) } : {}) },
    ...(comment !== undefined ? { comment } : {}),
  };
  const index = existing.findIndex((k) => k.keyId === keyId || sameKey(parsePublicKey(k.publicKey), publicKey));
  if (index >= 0 && canonicalJson(existing[index]) === canonicalJson({ ...entry, ...(comment === undefined && existing[index]!.comment !== undefined ? { comment: existing[index]!.comment } : {}) })) {
    return { registry: base, change: "unchanged" };
  }
  const keys = index >= 0 ? existing.map((k, i) => (i === index ? { ...entry, ...(comment === undefined && k.comment !== undefined ? { comment: k.comment } : {}) } : k)) : [...existing, entry];
  return { registry: withComponent(base, component, keys), change: index >= 0 ? "updated" : "added" };
}

function withComponent(base: KeyRegistry, component: string, keys: RegisteredKey[]): KeyRegistry {
  const components = { ...base.components, [component]: keys };
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...base, components: sorted };
}

/** The registry with `publicKey` added for `component` from `start` on; unchanged if already listed. */
export function registerKey(registry: KeyRegistry | undefined, component: string, publicKey: KeyObject, start: bigint): { registry: KeyRegistry; added: boolean } {
  const base: KeyRegistry = registry ?? { version: 1, components: {} };
  const keyId = keyIdOf(publicKey);
  const existing = base.components[component] ?? [];
  if (existing.some((k) => k.keyId === keyId || sameKey(parsePublicKey(k.publicKey), publicKey))) return { registry: base, added: false };
  const entry: RegisteredKey = { keyId, publicKey: publicKeyPem(publicKey), validFor: { start: formatRfc3339(start) } };
  return { registry: withComponent(base, component, [...existing, entry]), added: true };
}
