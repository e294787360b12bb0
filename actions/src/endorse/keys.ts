import * as core from "@actions/core";
import { keyEnvName, readPrivateKeyEnv } from "../../../src/keys/key-store.js";
import type { ComponentKeyPair } from "../../../src/keys/component-keys.js";

/**
 * Every component's private key, from the environment variable the workflow maps its secret to.
 * The runner masks secrets it passes, but a key reaching the Action any other way is masked here
 * too (the whole PEM and each of its lines, as multi-line values are masked line by line), and the
 * variable is removed from this process's environment once read.
 */
export function componentKeys(prefix: string, components: readonly string[]): Map<string, ComponentKeyPair> {
  const keys = new Map<string, ComponentKeyPair>();
  for (const component of components) {
    const name = keyEnvName(prefix, component);
    const pem = process.env[name];
    if (pem !== undefined && pem.trim() !== "") {
      core.setSecret(pem);
      for (const line of pem.split(/\r?\n/)) if (line.trim() !== "" && !line.startsWith("-----")) core.setSecret(line.trim());
    }
    keys.set(component, readPrivateKeyEnv(name));
    delete process.env[name];
  }
  return keys;
}
