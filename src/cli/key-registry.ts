import { RegistryFileError } from "../endorse/registry-file.js";
import { InputError } from "./errors.js";
import { fileSubject } from "./input.js";

/** Runs a registry update, attributing what goes wrong with the registry file itself to the option that named it. */
export async function registryError<T>(option: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryFileError) throw new InputError(err.code, err.message, fileSubject(option, path));
    throw err;
  }
}
