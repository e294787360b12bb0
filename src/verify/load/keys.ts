import { keyIdOf, parsePublicKey } from "../../keys/component-keys.js";
import type { KeySource } from "../../keys/key-source.js";
import { parseKeyRegistry, type LoadedRegistry } from "../../keys/registry.js";
import { MAX_REGISTRY_BYTES } from "../../keys/registry-file.js";
import { parsedInput, readInputText } from "../../util/input-file.js";

const MAX_KEY_BYTES = 1 << 20;

/** One component public key (PEM) as the only key a signature may verify with. */
export function keysFromKeyFile(path: string, subject = path): KeySource {
  const pem = readInputText(path, subject, MAX_KEY_BYTES);
  return parsedInput(subject, () => {
    const key = parsePublicKey(pem, "the key");
    return { kind: "keys", keys: [{ key, keyId: keyIdOf(key), source: path }] };
  });
}

/** A key registry file, loaded and checked whole (see parseKeyRegistry). */
export function loadRegistry(path: string, subject = path): { loaded: LoadedRegistry; source: string } {
  const text = readInputText(path, subject, MAX_REGISTRY_BYTES);
  return { loaded: parsedInput(subject, () => parseKeyRegistry(text, path)), source: path };
}

/** The keys of a key registry file, by component. */
export function keysFromRegistry(path: string, subject = path): KeySource {
  const { loaded, source } = loadRegistry(path, subject);
  return { kind: "registry", registry: loaded, source };
}
