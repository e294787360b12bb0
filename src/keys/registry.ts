import type { KeyObject } from "node:crypto";
import { KeyRegistry, type RegisteredKey } from "../schema/key-registry.js";
import { parseDocument } from "../schema/parse.js";
import { canonicalJson } from "../util/canonical-json.js";
import { formatRfc3339, parseRfc3339 } from "../util/rfc3339.js";
import { KeyError } from "./errors.js";
import { keyIdOf, parsePublicKey, publicKeyPem, sameKey } from "./component-keys.js";

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
          throw err instanceof KeyError ? new KeyError("REGISTRY", err.message, what) : err;
        }
      })();
      const keyId = keyIdOf(key);
      if (keyId !== entry.keyId) throw new KeyError("REGISTRY", `${field}.keyId is ${entry.keyId} but the key's SPKI SHA-256 is ${keyId}`, what);
      // By point, not only by id: a compressed and an uncompressed SPKI of one key have different ids.
      if (keys.some((k) => k.keyId === keyId || sameKey(k.key, key))) throw new KeyError("REGISTRY", `${field} lists key ${keyId} a second time`, what);
      const start = parseRfc3339(entry.validFor.start)!;
      const end = entry.validFor.end === undefined ? undefined : parseRfc3339(entry.validFor.end)!;
      if (end !== undefined && end < start) throw new KeyError("REGISTRY", `${field}.validFor ends before it starts`, what);
      keys.push({ key, keyId, validFor: end === undefined ? { start } : { start, end }, source: `${what}:${component}` });
    });
    keysByComponent.set(component, keys);
  }
  return { registry, keysByComponent };
}

/** The keys listed for a component: own properties only (a component may be called `constructor`). */
export function registeredKeys(registry: KeyRegistry | undefined, component: string): readonly RegisteredKey[] {
  return registry !== undefined && Object.hasOwn(registry.components, component) ? registry.components[component]! : [];
}

/**
 * A change to a key's window. Only what is given changes: an existing key keeps its start unless
 * `start` is given, its end unless `end` is ("open" removes it), its comment unless `comment` is.
 */
export interface KeyWindowChange {
  readonly start?: bigint;
  readonly end?: bigint | "open";
  readonly comment?: string;
}

/** A bound as stored: the existing text when it names the same instant (so nothing is rewritten for nothing). */
function bound(value: bigint, existing: string | undefined): string {
  return existing !== undefined && parseRfc3339(existing) === value ? existing : formatRfc3339(value);
}

/**
 * Sets the window of a key listed for `component` (rotation: give the old key an end; revocation:
 * an end in the past), or adds the key, from `change.start` or else `now`. Windows are validated as
 * on load.
 */
export function setKeyWindow(registry: KeyRegistry | undefined, component: string, publicKey: KeyObject, change: KeyWindowChange, now: bigint): { registry: KeyRegistry; change: "added" | "updated" | "unchanged"; key: RegisteredKey } {
  const base: KeyRegistry = registry ?? { version: 1, components: {} };
  const keyId = keyIdOf(publicKey);
  const existing = registeredKeys(base, component);
  const index = existing.findIndex((k) => k.keyId === keyId || sameKey(parsePublicKey(k.publicKey), publicKey));
  const old = index >= 0 ? existing[index] : undefined;
  const start = change.start ?? (old ? parseRfc3339(old.validFor.start)! : now);
  const oldEnd = old?.validFor.end === undefined ? undefined : parseRfc3339(old.validFor.end)!;
  const end = change.end === "open" ? undefined : (change.end ?? oldEnd);
  if (end !== undefined && end < start) {
    throw new KeyError("REGISTRY", `the key's validity would end (${formatRfc3339(end)}) before it starts (${formatRfc3339(start)})`);
  }
  const comment = change.comment ?? old?.comment;
  const entry: RegisteredKey = {
    keyId: old?.keyId ?? keyId,
    publicKey: old?.publicKey ?? publicKeyPem(publicKey),
    validFor: { start: bound(start, old?.validFor.start), ...(end !== undefined ? { end: bound(end, old?.validFor.end) } : {}) },
    ...(comment !== undefined ? { comment } : {}),
  };
  if (old !== undefined && canonicalJson(old) === canonicalJson(entry)) return { registry: base, change: "unchanged", key: old };
  const keys = old !== undefined ? existing.map((k, i) => (i === index ? entry : k)) : [...existing, entry];
  return { registry: withComponent(base, component, keys), change: old !== undefined ? "updated" : "added", key: entry };
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
  const existing = registeredKeys(base, component);
  if (existing.some((k) => k.keyId === keyId || sameKey(parsePublicKey(k.publicKey), publicKey))) return { registry: base, added: false };
  const entry: RegisteredKey = { keyId, publicKey: publicKeyPem(publicKey), validFor: { start: formatRfc3339(start) } };
  return { registry: withComponent(base, component, [...existing, entry]), added: true };
}

/**
 * Refuses to sign or log with a key that a verifier using `loaded` would not accept for
 * `component` at `at`: not registered for the component, or registered for another window.
 */
export function checkSigningKey(loaded: LoadedRegistry, source: string, component: string, publicKey: KeyObject, at: bigint): ComponentKey {
  const keys = loaded.keysByComponent.get(component) ?? [];
  const key = keys.find((k) => sameKey(k.key, publicKey));
  if (key === undefined) {
    const listed = keys.length === 0 ? "which lists no key for it" : `which lists ${keys.length === 1 ? "another key" : `${keys.length} other keys`} for it`;
    throw new KeyError("KEY_NOT_REGISTERED", `the key for ${component} (${keyIdOf(publicKey)}) is not registered for '${component}' in ${source}, ${listed}`);
  }
  const window = key.validFor!;
  if (at < window.start || (window.end !== undefined && at > window.end)) {
    const end = window.end === undefined ? "open" : formatRfc3339(window.end);
    throw new KeyError("KEY_NOT_REGISTERED", `the key for ${component} (${key.keyId}) is registered in ${source} for ${formatRfc3339(window.start)} .. ${end}, which does not include ${formatRfc3339(at)}`);
  }
  return key;
}
