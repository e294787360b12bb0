import { parseKeyRegistry, type LoadedRegistry } from "../keys/registry.js";
import { MAX_REGISTRY_BYTES, RegistryFileError } from "../keys/registry-file.js";
import { ReftrailError } from "../util/errors.js";
import { InputError } from "./errors.js";
import { fileSubject, readTextInput } from "./input.js";

/** A key registry named by an option, loaded and checked whole; errors name the option and file. */
export function registryOption(option: string, path: string | undefined): { loaded: LoadedRegistry; source: string } | undefined {
  if (path === undefined) return undefined;
  const text = readTextInput(option, path, MAX_REGISTRY_BYTES);
  try {
    return { loaded: parseKeyRegistry(text, path), source: path };
  } catch (err) {
    if (err instanceof ReftrailError) throw new InputError(err.code, err.message, fileSubject(option, path));
    throw err;
  }
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
