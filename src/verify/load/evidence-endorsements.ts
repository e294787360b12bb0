import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS } from "../../endorse/files.js";
import { InputError } from "../../util/errors.js";
import { readInput, readInputText } from "../../util/input-file.js";
import { EvidencePolicy } from "../../schema/evidence-policy.js";
import { parseDocument } from "../../schema/parse.js";
import type { FoundEndorsement } from "../evidence/endorsements.js";
import { statementStore, type StatementStore } from "../evidence/from-log.js";
import { loggedFromFolder } from "./logged.js";

/**
 * The component folders under `dir` (`dir/<component>/endorsement.json`), or under each release
 * folder of `dir` (`dir/<release>/<component>/endorsement.json`), as a verifier keeps several
 * releases. Named `<component>` or `<release>/<component>` in reports.
 */
export function componentFolders(dir: string, subject = dir): { folder: string; name: string }[] {
  const list = (path: string) => readdirSync(path).filter((n) => !n.startsWith(".")).sort();
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a folder");
    names = list(dir);
  } catch {
    throw new InputError("FOLDER_INVALID", "is not a readable folder", subject);
  }
  const isComponent = (path: string) => existsSync(join(path, ENDORSEMENT_FILES.statement));
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      if (isComponent(path)) return [{ folder: path, name }];
      if (!statSync(path).isDirectory()) return [];
      return list(path).flatMap((inner) => (isComponent(join(path, inner)) ? [{ folder: join(path, inner), name: `${name}/${inner}` }] : []));
    } catch (err) {
      // A dangling link or an unreadable folder is named, never skipped: it may hold the endorsement that matters.
      throw new InputError("FOLDER_INVALID", `${name} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, subject);
    }
  });
}

/** Every folder's own logged endorsements (logentry.json, the bundle), each one to be verified, none skipped silently. */
export function endorsementsInFolders(dir: string, subject = dir): FoundEndorsement[] {
  return componentFolders(dir, subject).flatMap(({ folder, name }) => loggedFromFolder(folder).map((p) => ({ source: `${name}/${p.file}`, logged: p.logged })));
}

/** The statements of every component folder, by SHA-256, for entries found in a log. */
export function statementsInFolders(dir: string, subject = dir): StatementStore {
  return statementStore(componentFolders(dir, subject).map(({ folder }) => readInput(join(folder, ENDORSEMENT_FILES.statement), join(folder, ENDORSEMENT_FILES.statement), ENDORSEMENT_FILE_LIMITS.statement)));
}

/** A verification policy (schemas/evidence-policy.json). */
export function loadEvidencePolicy(path: string, subject = path): EvidencePolicy {
  return parseDocument(EvidencePolicy, readInputText(path, subject, 4 << 20), subject);
}
