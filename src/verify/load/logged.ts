import { existsSync } from "node:fs";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS as LIMITS, endorsementPath } from "../../endorse/files.js";
import type { LoggedEndorsement } from "../../tlog/logged-endorsement.js";
import { loggedFromBundle, loggedFromLogEntry } from "../../tlog/read-logged.js";
import { InputError } from "../../util/errors.js";
import { parsedInput, readInput, readInputText } from "../../util/input-file.js";
import type { PublishedEndorsement } from "../endorsement/published.js";

/** The files of one logged endorsement: the statement with its signature and log entry, or with a Sigstore bundle (and optionally the detached signature, which must then be the bundle's). */
export type LoggedFiles =
  | { readonly endorsement: string; readonly signature: string; readonly logEntry: string; readonly bundle?: undefined }
  | { readonly endorsement: string; readonly bundle: string; readonly signature?: string | undefined; readonly logEntry?: undefined };

/** How messages name each file (`--endorsement FILE`, or just the path); defaults to the path. */
export type LoggedSubjects = Partial<Record<"endorsement" | "signature" | "logEntry" | "bundle", string>>;

/**
 * A logged endorsement from its files, with the same size limits endorse and publish apply. A file
 * that cannot be read as what it should be is an InputError about that file.
 */
export function loggedFromFiles(files: LoggedFiles, subjects: LoggedSubjects = {}): LoggedEndorsement {
  const subject = (f: keyof LoggedSubjects, path: string) => subjects[f] ?? path;
  const statement = readInput(files.endorsement, subject("endorsement", files.endorsement), LIMITS.statement);
  if (files.bundle !== undefined) {
    const signature = files.signature === undefined ? undefined : readInput(files.signature, subject("signature", files.signature), LIMITS.signature);
    const text = readInputText(files.bundle, subject("bundle", files.bundle), LIMITS.bundle);
    return parsedInput(subject("bundle", files.bundle), () => loggedFromBundle(statement, text, files.bundle, signature));
  }
  const signature = readInput(files.signature, subject("signature", files.signature), LIMITS.signature);
  const text = readInputText(files.logEntry, subject("logEntry", files.logEntry), LIMITS.logEntry);
  return parsedInput(subject("logEntry", files.logEntry), () => loggedFromLogEntry(statement, signature, text, files.logEntry));
}

/**
 * The logged endorsements of a component folder: logentry.json (with endorsement.json.sig) and the
 * Sigstore bundle, each that exists (at least one must); a bundle beside a .sig is read with it, so
 * the two signatures must agree. Messages name the files by path.
 */
export function loggedFromFolder(dir: string): PublishedEndorsement[] {
  const path = (f: keyof typeof ENDORSEMENT_FILES) => endorsementPath(dir, f);
  const hasLogEntry = existsSync(path("logEntry"));
  const hasBundle = existsSync(path("bundle"));
  if (!hasLogEntry && !hasBundle) throw new InputError("FILE_NOT_FOUND", `holds neither ${ENDORSEMENT_FILES.logEntry} nor ${ENDORSEMENT_FILES.bundle} (not published yet?)`, dir);
  const found: PublishedEndorsement[] = [];
  if (hasLogEntry) {
    found.push({ file: ENDORSEMENT_FILES.logEntry, logged: loggedFromFiles({ endorsement: path("statement"), signature: path("signature"), logEntry: path("logEntry") }) });
  }
  if (hasBundle) {
    const signature = existsSync(path("signature")) ? path("signature") : undefined;
    found.push({ file: ENDORSEMENT_FILES.bundle, logged: loggedFromFiles({ endorsement: path("statement"), bundle: path("bundle"), signature }) });
  }
  return found;
}
