import type { OakEvidenceVerdict } from "../schema/oak-verdict.js";
import { ReftrailError } from "../util/errors.js";
import { decodeEndorsements, decodeEvidence, decodeReferenceValues, verifyOakEvidence } from "../verify/oak/verifier.js";
import { fileSubject, readInputFile } from "./input.js";

/** Oak's messages are small (tens of KB); anything near this is not one. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface OakFiles {
  readonly evidence: string;
  readonly endorsements: string;
  readonly policy: string;
}

/**
 * `verify evidence --format oak`: reads Oak's binary Evidence, Endorsements and ReferenceValues and
 * verifies them. A malformed input is an input error naming its option and file.
 */
export function verifyOakFiles(files: OakFiles, at: bigint): OakEvidenceVerdict {
  const subjects: Record<string, string> = {
    Evidence: fileSubject("--evidence", files.evidence),
    Endorsements: fileSubject("--endorsements", files.endorsements),
    ReferenceValues: fileSubject("--policy", files.policy),
  };
  const decode = <T>(input: keyof typeof subjects, path: string, option: string, fn: (b: Uint8Array) => T): T => {
    const bytes = readInputFile(option, path, MAX_MESSAGE_BYTES);
    try {
      return fn(bytes);
    } catch (err) {
      if (err instanceof ReftrailError) err.subject = subjects[input];
      throw err;
    }
  };
  const inputs = {
    evidence: decode("Evidence", files.evidence, "--evidence", decodeEvidence),
    endorsements: decode("Endorsements", files.endorsements, "--endorsements", decodeEndorsements),
    referenceValues: decode("ReferenceValues", files.policy, "--policy", decodeReferenceValues),
  };
  try {
    return verifyOakEvidence(inputs, at);
  } catch (err) {
    // The library names the message a malformed value sits in; the user knows it by its file.
    if (err instanceof ReftrailError && err.subject !== undefined && Object.hasOwn(subjects, err.subject)) err.subject = subjects[err.subject];
    throw err;
  }
}
