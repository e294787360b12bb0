import type { OakEvidenceVerdict } from "../schema/oak-verdict.js";
import { ReftrailError } from "../util/errors.js";
import { decodeEndorsements, decodeEvidence, decodeReferenceValues, verifyOakEvidence } from "../verify/oak/verifier.js";
import { fileSubject, readInputFile } from "./input.js";
import { formatTable } from "./output.js";

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

const STATUS: Record<string, string> = { passed: "pass", failed: "FAIL", skipped: "skipped", "not run": "not run" };
const short = (text: string, max = 72) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The verdict line, one row per component, one per failed check with its reason. */
export function oakVerdictText(verdict: OakEvidenceVerdict): string {
  const head = verdict.verified
    ? `VERIFIED Oak evidence (${verdict.evidenceType ?? "unknown chain"}) at ${verdict.at}`
    : `NOT VERIFIED Oak evidence (${verdict.evidenceType ?? "unknown chain"}) at ${verdict.at}: ${verdict.failures.join(", ")}`;
  const components = formatTable(
    ["component", "bound by", "result", "expected", "found", "endorsement", "log index"],
    verdict.components.map((r) => [r.component, r.boundBy, STATUS[r.status] ?? r.status, short(r.expected), short(r.found), r.endorsement?.subject ?? "", r.endorsement?.logIndex?.toString() ?? ""]),
  );
  const failed = verdict.checks.filter((c) => c.status === "failed" || c.status === "not run");
  const reasons = failed.length ? `\n${formatTable(["failed check", "reason"], failed.map((c) => [c.check, c.detail ?? ""]))}` : "";
  return `${head}\n\n${components}${reasons}`;
}
