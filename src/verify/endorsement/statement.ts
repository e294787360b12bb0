import { IN_TOTO_STATEMENT_V1, LEGACY_PREDICATE_TYPES, OAK_ENDORSEMENT_V1, ReadableStatement, ReftrailPredicate } from "../../schema/endorsement.js";
import { createHash } from "node:crypto";
import { BoundedCache } from "../../util/bounded-cache.js";
import { canonicalJson } from "../../util/canonical-json.js";
import { StrictJsonError, parseStrictJson } from "../../util/strict-json.js";
import { parseRfc3339 } from "../../util/rfc3339.js";
import { CheckFailure } from "./checks.js";

/** Oak's accepted subject digest names (util/digest/json.rs), each with its canonical name and size. */
const DIGEST_NAMES: Readonly<Record<string, { canonical: string; hexDigits: number }>> = {
  psha2: { canonical: "psha2", hexDigits: 64 },
  sha1: { canonical: "sha1", hexDigits: 40 },
  sha256: { canonical: "sha256", hexDigits: 64 },
  sha2_256: { canonical: "sha256", hexDigits: 64 },
  sha384: { canonical: "sha384", hexDigits: 96 },
  sha2_384: { canonical: "sha384", hexDigits: 96 },
  sha512: { canonical: "sha512", hexDigits: 128 },
  sha2_512: { canonical: "sha512", hexDigits: 128 },
  sha3_224: { canonical: "sha3_224", hexDigits: 56 },
  sha3_256: { canonical: "sha3_256", hexDigits: 64 },
  sha3_384: { canonical: "sha3_384", hexDigits: 96 },
  sha3_512: { canonical: "sha3_512", hexDigits: 128 },
};

/** What the verifier uses of a statement, every field checked. */
export interface EndorsementContent {
  readonly subjectName: string;
  /** Canonical algorithm name → lower-case hex. */
  readonly subjectDigests: ReadonlyMap<string, string>;
  readonly issuedOn: string;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  readonly validity: { readonly notBefore: string; readonly notAfter: string };
  readonly claims: readonly string[];
  /** reftrail's reference values, when the statement carries them. */
  readonly reftrail: ReftrailPredicate | undefined;
  /** The component the statement endorses: reftrail's component name, else the subject name. */
  readonly component: string;
}

const fail = (message: string) => new CheckFailure("STATEMENT_TYPE", message);

/**
 * Statements read, by the SHA-256 of their bytes: a verifier sees the same endorsements for every
 * report, and a firmware's statement (its launch digests) is some 100 KiB of JSON to check. The
 * key is the content, so a changed byte is a different statement, read afresh.
 */
const READ = new BoundedCache<string, EndorsementContent | CheckFailure>(256);
const CLAIMED = new BoundedCache<string, { component: string | undefined }>(256);
const statementKey = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Exactly the bytes as UTF-8: malformed sequences are errors and a byte-order mark is kept (and then refused). */
function statementText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/**
 * The component name a statement claims, read before its signature is checked and only to pick the
 * registry keys to try: reftrail's component name, else the subject name. Nothing else is validated
 * here (readEndorsement does that after the signature), so this stays cheap on large statements.
 */
export function claimedComponent(bytes: Uint8Array): string | undefined {
  const key = statementKey(bytes);
  const cached = CLAIMED.get(key);
  if (cached !== undefined) return cached.component;
  const component = claimedComponentOf(bytes);
  CLAIMED.set(key, { component });
  return component;
}

function claimedComponentOf(bytes: Uint8Array): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(statementText(bytes));
  } catch {
    return undefined;
  }
  const s = json as { predicate?: { reftrail?: { component?: { name?: unknown } } }; subject?: { name?: unknown }[] } | null;
  const own = s?.predicate?.reftrail?.component?.name;
  if (typeof own === "string") return own;
  const subject = Array.isArray(s?.subject) ? s.subject[0]?.name : undefined;
  return typeof subject === "string" ? subject : undefined;
}

/**
 * Reads an endorsement statement as Oak does (unknown members ignored) and fails on anything Oak
 * would refuse: another statement or predicate type, not exactly one subject, unknown or doubled
 * digest names, missing issuedOn or validity, unparseable times. reftrail's own predicate member,
 * when present, must be well-formed and endorse the same subject. `sha256`: the bytes' SHA-256,
 * when the caller has just computed it (the cache's key), so 100,000 statements are not hashed twice.
 */
export function readEndorsement(bytes: Uint8Array, sha256?: Uint8Array): EndorsementContent {
  const key = sha256 === undefined ? statementKey(bytes) : Buffer.from(sha256.buffer, sha256.byteOffset, sha256.byteLength).toString("hex");
  const cached = READ.get(key);
  if (cached instanceof CheckFailure) throw cached;
  if (cached !== undefined) return cached;
  try {
    const content = Object.freeze(readEndorsementOf(bytes));
    READ.set(key, content);
    return content;
  } catch (err) {
    if (err instanceof CheckFailure) READ.set(key, err);
    throw err;
  }
}

function readEndorsementOf(bytes: Uint8Array): EndorsementContent {
  let json: unknown;
  try {
    json = parseStrictJson(statementText(bytes));
  } catch (err) {
    throw fail(err instanceof StrictJsonError ? `the statement ${err.message}: JSON parsers would disagree on what it says` : "the statement is not UTF-8 JSON");
  }
  const parsed = ReadableStatement.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(`statement field ${issue.path.join(".") || "(document)"}: ${issue.message}`);
  }
  const s = parsed.data;
  if (s._type !== IN_TOTO_STATEMENT_V1) throw fail(`unsupported statement type '${s._type}' (expected ${IN_TOTO_STATEMENT_V1})`);
  if (s.predicateType !== OAK_ENDORSEMENT_V1) {
    const legacy = LEGACY_PREDICATE_TYPES.includes(s.predicateType) ? " (a legacy Oak type, refused since 2025-07)" : "";
    throw fail(`unsupported predicate type '${s.predicateType}'${legacy} (expected ${OAK_ENDORSEMENT_V1})`);
  }
  if (s.subject.length !== 1) throw fail(`expected a single subject, found ${s.subject.length}`);
  const subject = s.subject[0]!;
  const subjectDigests = new Map<string, string>();
  for (const [name, value] of Object.entries(subject.digest)) {
    // Own properties only: a digest named "constructor" is unknown, not Object's constructor.
    const known = Object.hasOwn(DIGEST_NAMES, name) ? DIGEST_NAMES[name] : undefined;
    if (!known) throw fail(`unknown subject digest algorithm '${name}'`);
    if (subjectDigests.has(known.canonical)) throw fail(`subject digest ${known.canonical} is given twice (aliases)`);
    if (!new RegExp(`^[0-9a-f]{${known.hexDigits}}$`).test(value)) throw fail(`subject digest ${name} is not ${known.hexDigits} lower-case hex digits`);
    subjectDigests.set(known.canonical, value);
  }
  if (subjectDigests.size === 0) throw fail("the subject has no digest");
  const issuedOn = parseRfc3339(s.predicate.issuedOn);
  if (issuedOn === undefined) throw fail(`predicate.issuedOn '${s.predicate.issuedOn}' is not an RFC 3339 time`);
  if (s.predicate.validity === undefined) throw fail("the validity field is not set");
  const notBefore = parseRfc3339(s.predicate.validity.notBefore);
  const notAfter = parseRfc3339(s.predicate.validity.notAfter);
  if (notBefore === undefined) throw fail(`predicate.validity.notBefore '${s.predicate.validity.notBefore}' is not an RFC 3339 time`);
  if (notAfter === undefined) throw fail(`predicate.validity.notAfter '${s.predicate.validity.notAfter}' is not an RFC 3339 time`);
  let reftrail: ReftrailPredicate | undefined;
  if (s.predicate.reftrail !== undefined) {
    const ext = ReftrailPredicate.safeParse(s.predicate.reftrail);
    if (!ext.success) {
      const issue = ext.error.issues[0]!;
      throw fail(`predicate.reftrail.${issue.path.join(".")}: ${issue.message}`);
    }
    reftrail = ext.data;
    const own = reftrail.component.subject;
    if (own.name !== (subject.name ?? "") || canonicalJson(own.digest) !== canonicalJson(subject.digest)) {
      throw fail("predicate.reftrail describes another subject than the statement's");
    }
  }
  return {
    subjectName: subject.name ?? "",
    subjectDigests,
    issuedOn: s.predicate.issuedOn,
    notBefore,
    notAfter,
    validity: { notBefore: s.predicate.validity.notBefore, notAfter: s.predicate.validity.notAfter },
    claims: (s.predicate.claims ?? []).map((c) => c.type),
    reftrail,
    component: reftrail?.component.name ?? subject.name ?? "",
  };
}
