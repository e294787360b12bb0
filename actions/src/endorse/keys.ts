import { keyEnvName, readPrivateKeyEnv } from "../../../src/keys/key-store.js";
import type { ComponentKeyPair } from "../../../src/keys/component-keys.js";

/**
 * Every component's private key, from the environment variable the workflow maps its secret to.
 * The key is never written anywhere, not even to `::add-mask::` (which puts the value itself on the
 * step's stdout, where any tool running the Action outside a runner would show it): the runner
 * already masks the secrets it passes. The variable is removed from this process's environment once
 * read, so nothing this process starts inherits it.
 */
export function componentKeys(prefix: string, components: readonly string[]): Map<string, ComponentKeyPair> {
  const keys = new Map<string, ComponentKeyPair>();
  for (const component of components) {
    const name = keyEnvName(prefix, component);
    keys.set(component, readPrivateKeyEnv(name));
    delete process.env[name];
  }
  return keys;
}
