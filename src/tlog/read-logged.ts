import type { z } from "zod";
import { CosignRekorBundle, MessageSignatureBundle } from "../schema/bundle.js";
import { parseDocument } from "../schema/parse.js";
import { LogEntryResponse } from "../schema/rekor.js";
import { BoundedCache } from "../util/bounded-cache.js";
import { attributed } from "../util/errors.js";
import { logEntryFromBundle, logEntryFromCosign } from "./bundle.js";
import type { LoggedEndorsement } from "./logged-endorsement.js";

/**
 * Log-entry files parsed, by their text: a verifier sees the same entries for every report, and
 * the parse is a pure function of the text (a failed parse throws and is not kept).
 */
const PARSED_ENTRIES = new BoundedCache<string, z.infer<typeof LogEntryResponse>>(256);

/**
 * A logged endorsement from Oak's file set: the statement, its detached signature and a log-entry file, which
 * is either Rekor's `{"<entry id>": LogEntry}` (exactly one entry) or cosign's SET-only
 * `{SignedEntryTimestamp, Payload}`. A file of neither shape is an input error, not a verdict.
 */
export function loggedFromLogEntry(statement: Uint8Array, signature: Uint8Array, logEntryText: string, what: string): LoggedEndorsement {
  const looksCosign = /^\s*\{\s*"(?:SignedEntryTimestamp|Payload)"/.test(logEntryText);
  if (looksCosign) {
    const cosign = parseDocument(CosignRekorBundle, logEntryText, what);
    return { statement, signature, entry: logEntryFromCosign(cosign), form: "cosign-set" };
  }
  const response = PARSED_ENTRIES.getOrCompute(logEntryText, () => Object.freeze(parseDocument(LogEntryResponse, logEntryText, what)));
  const [entryId, entry] = Object.entries(response)[0]!;
  return { statement, signature, entry, entryId, form: "logentry" };
}

/**
 * A logged endorsement from a Sigstore bundle v0.3: the log entry comes from the bundle, and so does the
 * signature unless a detached one is given too (then the two must be the same bytes).
 */
export function loggedFromBundle(statement: Uint8Array, bundleText: string, what: string, detachedSignature?: Uint8Array): LoggedEndorsement {
  const bundle = parseDocument(MessageSignatureBundle, bundleText, what);
  const { entry, declared } = attributed(what, () => logEntryFromBundle(bundle.verificationMaterial.tlogEntries[0]!));
  const signature = Buffer.from(bundle.messageSignature.signature, "base64");
  return {
    statement,
    signature: detachedSignature ?? signature,
    entry,
    bundle: { ...declared, messageDigest: Buffer.from(bundle.messageSignature.messageDigest.digest, "base64"), signature },
    form: "bundle",
  };
}
