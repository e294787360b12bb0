import type { HexDigest, RawDigest } from "../../schema/oak/gen/proto/digest_pb.js";
import { toHex } from "../../util/bytes.js";

/** RawDigest's algorithms (multicodec numbering in digest.proto), in the order Oak prints them. */
export const DIGEST_ALGORITHMS = ["psha2", "sha1", "sha2_256", "sha2_512", "sha3_512", "sha3_384", "sha3_256", "sha3_224", "sha2_384"] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** protobuf-es drops the underscore before digits in field names. */
const FIELD = {
  psha2: "psha2",
  sha1: "sha1",
  sha2_256: "sha2256",
  sha2_512: "sha2512",
  sha3_512: "sha3512",
  sha3_384: "sha3384",
  sha3_256: "sha3256",
  sha3_224: "sha3224",
  sha2_384: "sha2384",
} as const satisfies Record<DigestAlgorithm, keyof RawDigest & keyof HexDigest>;

/** A digest set: algorithm → bytes; only the algorithms present. */
export type DigestSet = Partial<Record<DigestAlgorithm, Uint8Array>>;

export function fromRawDigest(raw: RawDigest): DigestSet {
  const set: DigestSet = {};
  for (const alg of DIGEST_ALGORITHMS) if (raw[FIELD[alg]].length > 0) set[alg] = raw[FIELD[alg]];
  return set;
}

/** HexDigest → bytes; a field that is not hex makes the digest unusable (undefined). */
export function fromHexDigest(hex: HexDigest): DigestSet | undefined {
  const set: DigestSet = {};
  for (const alg of DIGEST_ALGORITHMS) {
    const text = hex[FIELD[alg]];
    if (text === "") continue;
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) return undefined;
    set[alg] = Buffer.from(text, "hex");
  }
  return set;
}

/** The in-toto statement's canonical digest names (verify/endorsement/statement.ts) in RawDigest terms. */
const STATEMENT_NAMES: Readonly<Record<string, DigestAlgorithm>> = {
  psha2: "psha2",
  sha1: "sha1",
  sha256: "sha2_256",
  sha384: "sha2_384",
  sha512: "sha2_512",
  sha3_224: "sha3_224",
  sha3_256: "sha3_256",
  sha3_384: "sha3_384",
  sha3_512: "sha3_512",
};

export function fromStatementDigest(digest: Readonly<Record<string, string>>): DigestSet {
  const set: DigestSet = {};
  for (const [name, hex] of Object.entries(digest)) {
    const alg = Object.hasOwn(STATEMENT_NAMES, name) ? STATEMENT_NAMES[name] : undefined;
    if (alg !== undefined) set[alg] = Buffer.from(hex, "hex");
  }
  return set;
}

export type DigestMatch = "same" | "different" | "undecidable";

/**
 * Oak's `is_raw_digest_match`: the same when at least one algorithm is present in both and equal
 * and no shared algorithm differs; different when a shared one differs; otherwise undecidable
 * (nothing shared), which never counts as a match.
 */
export function matchDigests(a: DigestSet, b: DigestSet): DigestMatch {
  let shared = 0;
  for (const alg of DIGEST_ALGORITHMS) {
    const x = a[alg];
    const y = b[alg];
    if (x === undefined || y === undefined) continue;
    if (Buffer.compare(x, y) !== 0) return "different";
    shared++;
  }
  return shared > 0 ? "same" : "undecidable";
}

/** Any of `expected` matches `actual` ("Same"); Oak's Digests semantics. */
export function anyDigestMatches(expected: readonly DigestSet[], actual: DigestSet): boolean {
  return expected.some((e) => matchDigests(e, actual) === "same");
}

/** `set` shown only in the algorithms `like` has, when it shares any (the values that were compared). */
export function comparedPart(set: DigestSet, like: DigestSet): DigestSet {
  const shared = DIGEST_ALGORITHMS.filter((a) => set[a] !== undefined && like[a] !== undefined);
  return shared.length ? Object.fromEntries(shared.map((a) => [a, set[a]])) : set;
}

export function formatDigest(set: DigestSet): string {
  const parts = DIGEST_ALGORITHMS.filter((a) => set[a] !== undefined).map((a) => `${a}:${toHex(set[a]!)}`);
  return parts.length ? parts.join(" ") : "(empty digest)";
}

export function formatDigests(sets: readonly DigestSet[]): string {
  return sets.length === 1 ? formatDigest(sets[0]!) : `one of ${sets.map(formatDigest).join(", ")}`;
}
