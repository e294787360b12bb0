import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES } from "../../endorse/files.js";
import { InputError } from "../../util/errors.js";

const FILE_NAMES: readonly string[] = Object.values(ENDORSEMENT_FILES);

/** An entry of a release folder that is not verified, and why. */
export interface SkippedEntry {
  readonly name: string;
  readonly reason: string;
}

/** A folder that holds (or should hold) a component's endorsement; `problem` when it cannot be read as one. */
export interface FoundFolder {
  readonly folder: string;
  readonly problem?: string;
}

/**
 * The component folders of a published release: those that hold (or look like they should hold)
 * an endorsement. One that cannot be read, or holds endorsement files but no endorsement.json, is
 * found with its problem (a failed row, never silently skipped). Every other entry is skipped and
 * listed, so the report says what it did not look at (a component copied as a file, a stray
 * staging folder). A root that cannot be listed is an InputError (code FOLDER_NOT_READABLE).
 */
export function releaseFolders(root: string, subject = root): { found: FoundFolder[]; skipped: SkippedEntry[] } {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    throw new InputError("FOLDER_NOT_READABLE", "is not a readable folder", subject);
  }
  const found: FoundFolder[] = [];
  const skipped: SkippedEntry[] = [];
  for (const folder of names) {
    if (folder.startsWith(".")) {
      skipped.push({ name: folder, reason: "hidden: its name starts with '.'" });
      continue;
    }
    const path = join(root, folder);
    let files: string[];
    try {
      if (!statSync(path).isDirectory()) {
        skipped.push({ name: folder, reason: "not a folder" });
        continue;
      }
      files = readdirSync(path);
    } catch (err) {
      found.push({ folder, problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})` });
      continue;
    }
    if (files.includes(ENDORSEMENT_FILES.statement)) found.push({ folder });
    else if (files.some((f) => FILE_NAMES.includes(f))) found.push({ folder, problem: `holds endorsement files but no ${ENDORSEMENT_FILES.statement}` });
    else skipped.push({ name: folder, reason: "no endorsement files" });
  }
  return { found, skipped };
}
