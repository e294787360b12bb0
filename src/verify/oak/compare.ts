import type { TransparentReleaseEndorsement } from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import type { BinaryReferenceValue, Digests, EndorsementReferenceValue, KernelBinaryReferenceValue, TextReferenceValue } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import type { OakComponentRow } from "../../schema/oak-verdict.js";
import { checkResult, type CheckResult } from "../../schema/verdict.js";
import type { Expected } from "./attachments.js";
import { anyDigestMatches, comparedPart, formatDigest, formatDigests, fromRawDigest, type DigestSet } from "./digests.js";
import { verifyReleaseEndorsement, type EndorsementOutcome } from "./endorsement.js";

/** One component to compare: its check name, how the evidence binds it, where its reference value sits. */
export interface ComponentSpec {
  readonly check: string;
  readonly component: string;
  readonly boundBy: string;
  /** The reference value's path, for messages. */
  readonly rvPath: string;
}

export interface Compared {
  readonly check: CheckResult;
  readonly row: OakComponentRow;
}

/** Endorsements verified once per reference value even when two components use them (kernel image and setup data). */
export class EndorsementCache {
  private readonly outcomes = new Map<EndorsementReferenceValue, EndorsementOutcome>();
  constructor(private readonly at: bigint) {}
  verify(tre: TransparentReleaseEndorsement | undefined, rv: EndorsementReferenceValue, where: string): EndorsementOutcome {
    let outcome = this.outcomes.get(rv);
    if (outcome === undefined) {
      outcome = verifyReleaseEndorsement(tre, rv, this.at, where);
      this.outcomes.set(rv, outcome);
    }
    return outcome;
  }
}

function result(spec: ComponentSpec, status: "passed" | "failed" | "skipped", expected: string, found: string, detail: string, endorsement?: EndorsementOutcome): Compared {
  const description = `${spec.component} (${spec.boundBy}) matches ${spec.rvPath}`;
  const check =
    status === "passed"
      ? checkResult.passed(spec.check, description, found, expected, detail)
      : status === "skipped"
        ? checkResult.skipped(spec.check, description, detail)
        : checkResult.failed(spec.check, description, detail, expected, found);
  const row: OakComponentRow = {
    component: spec.component,
    boundBy: spec.boundBy,
    expected,
    found,
    ...(endorsement?.ok ? { endorsement: { subject: endorsement.subjectName, ...(endorsement.logIndex !== undefined ? { logIndex: endorsement.logIndex } : {}) } } : {}),
    status,
    ...(status === "passed" ? {} : { detail }),
  };
  return { check, row };
}

/** A component the reference values do not constrain for a reason of their own (not a `skip {}` in place). */
export function notConstrained(spec: ComponentSpec, found: DigestSet | undefined, why: string): Compared {
  return result(spec, "skipped", "nothing", found ? formatDigest(found) : "(none)", why);
}

function compareDigests(spec: ComponentSpec, expected: readonly DigestSet[], found: DigestSet, source: string, endorsement?: EndorsementOutcome): Compared {
  const text = formatDigests(expected.map((e) => comparedPart(e, found)));
  if (expected.length === 0) return result(spec, "failed", "(no digests)", formatDigest(found), `${source} lists no digests`, endorsement);
  return anyDigestMatches(expected, found)
    ? result(spec, "passed", text, formatDigest(found), source, endorsement)
    : result(spec, "failed", text, formatDigest(found), `${formatDigest(found)} is not ${source}`, endorsement);
}

const listed = (d: Digests | undefined): DigestSet[] => (d?.digests ?? []).map(fromRawDigest);

/** The value an endorsement allows: its attachment's digests when `fromAttachment` says so, else the statement's subject digest. */
export type FromEndorsement = (tre: TransparentReleaseEndorsement, outcome: Extract<EndorsementOutcome, { ok: true }>) => Expected;
export const subjectDigest: FromEndorsement = (_tre, outcome) => ({ ok: true, digests: [outcome.subjectDigest], text: "the statement's subject digest" });

function compareEndorsed(spec: ComponentSpec, rv: EndorsementReferenceValue, tre: TransparentReleaseEndorsement | undefined, found: DigestSet, cache: EndorsementCache, expectedOf: FromEndorsement): Compared {
  const outcome = cache.verify(tre, rv, spec.rvPath);
  if (!outcome.ok) return result(spec, "failed", "an endorsed value", formatDigest(found), `endorsement: ${outcome.detail}`);
  const expected = expectedOf(tre!, outcome);
  if (!expected.ok) return result(spec, "failed", "an endorsed value", formatDigest(found), expected.why, outcome);
  return compareDigests(spec, expected.digests, found, `${expected.text} endorsed by ${outcome.subjectName}`, outcome);
}

/** BinaryReferenceValue: skip, digests (any may match), or an endorsement; unset is an error. */
export function compareBinary(spec: ComponentSpec, rv: BinaryReferenceValue | undefined, found: DigestSet | undefined, tre: TransparentReleaseEndorsement | undefined, cache: EndorsementCache, expectedOf: FromEndorsement = subjectDigest): Compared {
  const shown = found ? formatDigest(found) : "(none)";
  switch (rv?.type.case) {
    case undefined:
      return result(spec, "failed", "(no reference value)", shown, `empty binary reference value at ${spec.rvPath}`);
    case "skip":
      return result(spec, "skipped", "skip", shown, `${spec.rvPath} is skip {}`);
    case "digests":
      return found ? compareDigests(spec, listed(rv.type.value), found, `one of ${spec.rvPath}.digests`) : result(spec, "failed", formatDigests(listed(rv.type.value)), shown, "the evidence has no value");
    case "endorsement":
      return found ? compareEndorsed(spec, rv.type.value, tre, found, cache, expectedOf) : result(spec, "failed", "an endorsed value", shown, "the evidence has no value");
  }
}

/** KernelBinaryReferenceValue for one part of the kernel (image or setup data). */
export function compareKernel(spec: ComponentSpec, rv: KernelBinaryReferenceValue | undefined, part: "image" | "setupData", found: DigestSet, tre: TransparentReleaseEndorsement | undefined, cache: EndorsementCache, expectedOf: FromEndorsement): Compared {
  switch (rv?.type.case) {
    case undefined:
      return result(spec, "failed", "(no reference value)", formatDigest(found), `empty kernel reference value at ${spec.rvPath}`);
    case "skip":
      return result(spec, "skipped", "skip", formatDigest(found), `${spec.rvPath} is skip {}`);
    case "digests": {
      const digests = rv.type.value[part];
      if (digests === undefined) return result(spec, "failed", "(no digests)", formatDigest(found), `${spec.rvPath}.digests has no ${part === "image" ? "image" : "setup_data"}`);
      return compareDigests(spec, listed(digests), found, `one of ${spec.rvPath}.digests.${part === "image" ? "image" : "setup_data"}`);
    }
    case "endorsement":
      return compareEndorsed(spec, rv.type.value, tre, found, cache, expectedOf);
  }
}

/** Oak's kernel command-line length limit for anything but skip. */
const MAX_CMDLINE_BYTES = 256;

function regexMatch(spec: ComponentSpec, pattern: string, cmdline: string, source: string, endorsement?: EndorsementOutcome): Compared {
  let regex: RegExp;
  try {
    // Rust regex_lite `is_match`: unanchored unless the pattern anchors itself; Unicode code points.
    regex = new RegExp(pattern, "u");
  } catch {
    return result(spec, "failed", `regex ${pattern}`, cmdline, `${source} is not a valid regular expression`, endorsement);
  }
  return regex.test(cmdline) ? result(spec, "passed", `regex ${pattern}`, cmdline, source, endorsement) : result(spec, "failed", `regex ${pattern}`, cmdline, `the command line does not match ${source}`, endorsement);
}

/** TextReferenceValue for the kernel command line: skip, regex, string literals or an endorsed regex. */
export function compareCmdline(spec: ComponentSpec, rv: TextReferenceValue | undefined, cmdline: string, tre: TransparentReleaseEndorsement | undefined, cache: EndorsementCache): Compared {
  if (rv?.type.case === undefined) return result(spec, "failed", "(no reference value)", cmdline, `missing skip or value in the text reference value at ${spec.rvPath}`);
  if (rv.type.case === "skip") return result(spec, "skipped", "skip", cmdline, `${spec.rvPath} is skip {}`);
  const length = Buffer.byteLength(cmdline, "utf8");
  if (length >= MAX_CMDLINE_BYTES) return result(spec, "failed", `fewer than ${MAX_CMDLINE_BYTES} bytes`, `${length} bytes`, `the command line is ${length} bytes, at most ${MAX_CMDLINE_BYTES - 1} can be verified`);
  switch (rv.type.case) {
    case "regex":
      return regexMatch(spec, rv.type.value.value, cmdline, `${spec.rvPath}.regex`);
    case "stringLiterals": {
      const literals = rv.type.value.value;
      const text = literals.map((l) => JSON.stringify(l)).join(" or ") || "(no literals)";
      return literals.includes(cmdline) ? result(spec, "passed", text, cmdline, `${spec.rvPath}.string_literals`) : result(spec, "failed", text, cmdline, `the command line is none of ${spec.rvPath}.string_literals`);
    }
    case "endorsement": {
      const outcome = cache.verify(tre, rv.type.value, spec.rvPath);
      if (!outcome.ok) return result(spec, "failed", "an endorsed regex", cmdline, `endorsement: ${outcome.detail}`);
      if (tre!.subject.byteLength === 0) return result(spec, "failed", "an endorsed regex", cmdline, "the command-line endorsement has no subject (the regex)", outcome);
      return regexMatch(spec, Buffer.from(tre!.subject).toString("utf8"), cmdline, `the regex endorsed by ${outcome.subjectName}`, outcome);
    }
  }
}
