import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import type { ReferenceValuesLookup } from "../monitor/released.js";

/** A version that can name a file (`<dir>/<version>.json`); anything else has no document. */
const FILE_SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,199}$/;

/**
 * The reference-values documents of a local folder, `<dir>/<version>.json` (the repository's
 * `reference-values/`), each read once; one that does not parse fails the build, naming the file.
 */
export function referenceValuesFolder(dir: string): ReferenceValuesLookup {
  const cache = new Map<string, ReferenceValues | undefined>();
  return (version) => {
    if (!FILE_SAFE_VERSION.test(version)) return Promise.resolve(undefined);
    if (!cache.has(version)) {
      const path = join(dir, `${version}.json`);
      cache.set(version, existsSync(path) ? parseDocument(ReferenceValues, readFileSync(path, "utf8"), path) : undefined);
    }
    return Promise.resolve(cache.get(version));
  };
}
