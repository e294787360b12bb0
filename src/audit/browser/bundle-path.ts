import { fileURLToPath } from "node:url";

/**
 * Where `npm run build` writes the browser bundle (scripts/build-browser.ts), for the site builder
 * to copy beside the pages: dist/audit/browser/verify.js of the package, found from this module
 * (src/audit/browser under tsx, dist/audit/browser once compiled) as util/native.ts finds build/native.
 */
export function browserBundlePath(): string {
  return fileURLToPath(new URL("../../../dist/audit/browser/verify.js", import.meta.url));
}
