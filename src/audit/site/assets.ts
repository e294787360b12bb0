import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The browser verifier bundle the entry pages load as assets/verify.js: reftrail's own verification
 * code built for the browser (`verifyLoggedEntry(crypto, input)` and `webAsyncCrypto`), produced by
 * the build as dist/audit/browser/verify.js. The one place the site builder learns where it is.
 */
export function verifyBundlePath(): string {
  // This file is dist/audit/site/assets.js when built (src/audit/site/assets.ts under tsx): the
  // bundle is always under dist/, beside the package root.
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, "..", "..", "..");
  return join(root, "dist", "audit", "browser", "verify.js");
}

export const verifyBundleExists = (path: string): boolean => existsSync(path);
