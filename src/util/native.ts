import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * A native module of reftrail's (build/native/NAME.node, compiled by scripts/build-native.ts), or
 * undefined where it was not built or REFTRAIL_NO_NATIVE is set: each has a JavaScript path that
 * gives the same results, so the modules only ever change the speed.
 */
export function loadNativeModule<T>(name: string): T | undefined {
  if (process.env["REFTRAIL_NO_NATIVE"]) return undefined;
  try {
    const require = createRequire(import.meta.url);
    return require(fileURLToPath(new URL(`../../build/native/${name}.node`, import.meta.url))) as T;
  } catch {
    return undefined;
  }
}
