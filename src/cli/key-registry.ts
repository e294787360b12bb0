import type { LoadedRegistry } from "../keys/registry.js";
import { RegistryFileError } from "../keys/registry-file.js";
import { loadRegistry } from "../verify/load/keys.js";
import { InputError } from "./errors.js";
import { fileSubject } from "./input.js";

/** A key registry named by an option, loaded and checked whole; errors name the option and file. */
export function registryOption(option: string, path: string | undefined): { loaded: LoadedRegistry; source: string } | undefined {
  return path === undefined ? undefined : loadRegistry(path, fileSubject(option, path));
}

/** Runs a registry update, attributing what goes wrong with the registry file itself to the option that named it. */
export async function registryError<T>(option: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryFileError) throw new InputError(err.code, err.message, fileSubject(option, path));
    throw err;
  }
}
