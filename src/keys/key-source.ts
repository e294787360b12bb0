import type { ComponentKey, LoadedRegistry } from "./registry.js";

/** The component keys a statement signature may verify with: given directly, or a registry's by component. */
export type KeySource =
  | { readonly kind: "keys"; readonly keys: readonly ComponentKey[] }
  | { readonly kind: "registry"; readonly registry: LoadedRegistry; readonly source: string };
