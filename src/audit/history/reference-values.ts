import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { InputError } from "../../util/errors.js";
import { readInputText } from "../../util/input-file.js";
import type { ReferenceValuesLookup } from "../monitor/released.js";

const MAX_DOCUMENT_BYTES = 16 << 20;

/**
 * The reference-values documents of a folder, as the repository keeps them (`<version>.json`), read
 * when a release version is first asked for. A version that is not a plain file name has no
 * document; a document that fails its schema is an input error naming it, never "no document".
 */
export function referenceValuesFolder(dir: string, subject = dir): ReferenceValuesLookup {
  if (!existsSync(dir)) throw new InputError("FOLDER_INVALID", "does not exist", subject);
  const cache = new Map<string, ReferenceValues | undefined>();
  return (version) => {
    if (!cache.has(version)) {
      const safe = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version) && !version.includes("..");
      const path = join(dir, `${version}.json`);
      cache.set(version, safe && existsSync(path) ? parseDocument(ReferenceValues, readInputText(path, `${subject}/${version}.json`, MAX_DOCUMENT_BYTES), `${subject}/${version}.json`) : undefined);
    }
    return Promise.resolve(cache.get(version));
  };
}
