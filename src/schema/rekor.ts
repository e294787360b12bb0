import { z } from "zod";

/** Standard base64 (RFC 4648 §4) with padding. */
export const Base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "expected standard base64");
const Hex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), `expected ${digits} hex digits`);
/** What Rekor writes, and all a verifier accepts: lower case (the SET signs logID as written). */
const LowerHex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-f]{${digits}}$`), `expected ${digits} lower-case hex digits`);

/** What a hashedrekord or rekord 0.0.1 entry may name (Rekor's schemas), hence all the index can hold. */
const HASH_ALGORITHMS = ["sha256", "sha384", "sha512"] as const;
const HashAlgorithm = z.enum(HASH_ALGORITHMS, { error: (issue) => `unsupported hash algorithm ${JSON.stringify(issue.input)} (expected ${HASH_ALGORITHMS.join(", ")})` });
const DIGEST_DIGITS = { sha256: 64, sha384: 96, sha512: 128 } as const;
/** The algorithm a bare hex digest of this length stands for (Rekor's PrefixSHA; 40 is SHA-1, which no entry may use). */
export const DIGEST_ALGORITHM_BY_DIGITS: Readonly<Record<number, string>> = { 40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512" };

const DataHash = z
  .object({ algorithm: HashAlgorithm, value: z.string() })
  .strict()
  .superRefine((h, ctx) => {
    if (!new RegExp(`^[0-9a-fA-F]{${DIGEST_DIGITS[h.algorithm]}}$`).test(h.value)) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `expected ${DIGEST_DIGITS[h.algorithm]} hex digits for ${h.algorithm}` });
    }
  });

/** hashedrekord 0.0.1 as submitted (Rekor openapi `hashedrekord/v0.0.1`). */
export const HashedRekordSpec = z
  .object({
    data: z.object({ hash: DataHash }).strict(),
    signature: z.object({ content: Base64.min(1), publicKey: z.object({ content: Base64.min(1) }).strict() }).strict(),
  })
  .strict();

/** rekord 0.0.1, accepted by hash only (the artifact itself stays with its owner), x509 keys. */
export const RekordSpec = z
  .object({
    data: z.object({ hash: DataHash }).strict(),
    signature: z.object({ format: z.literal("x509"), content: Base64.min(1), publicKey: z.object({ content: Base64.min(1) }).strict() }).strict(),
  })
  .strict();

export const ProposedEntry = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("hashedrekord"), apiVersion: z.literal("0.0.1"), spec: HashedRekordSpec }).strict(),
  z.object({ kind: z.literal("rekord"), apiVersion: z.literal("0.0.1"), spec: RekordSpec }).strict(),
]);
export type ProposedEntry = z.infer<typeof ProposedEntry>;

export const InclusionProof = z
  .object({
    logIndex: z.number().int().nonnegative(),
    rootHash: LowerHex(64),
    treeSize: z.number().int().positive(),
    hashes: z.array(LowerHex(64)),
    checkpoint: z.string(),
  })
  .strict();

/** A Rekor v1 LogEntry (the value of `{"<entry id>": LogEntry}`). */
export const LogEntry = z
  .object({
    body: Base64,
    integratedTime: z.number().int().nonnegative(),
    logID: LowerHex(64),
    logIndex: z.number().int().nonnegative(),
    verification: z
      .object({ signedEntryTimestamp: Base64.optional(), inclusionProof: InclusionProof.optional() })
      .strict(),
    attestation: z.object({ data: Base64.optional() }).passthrough().optional(),
  })
  .strict();
export type LogEntry = z.infer<typeof LogEntry>;

/** `{"<80-hex entry id>": LogEntry}`, exactly one entry: the tree id and the leaf hash, as Rekor answers. */
export const LogEntryResponse = z
  .record(z.string().regex(/^[0-9a-f]{80}$/, "expected an 80 hex-digit entry id (16-digit tree id, 64-digit leaf hash)"), LogEntry)
  .refine((r) => Object.keys(r).length === 1, "expected exactly one entry");

export const LogInfo = z
  .object({
    rootHash: Hex(64),
    treeSize: z.number().int().nonnegative(),
    signedTreeHead: z.string(),
    treeID: z.string().regex(/^[0-9]+$/),
    inactiveShards: z
      .array(z.object({ rootHash: Hex(64), treeSize: z.number().int().nonnegative(), signedTreeHead: z.string(), treeID: z.string() }).passthrough())
      .optional(),
  })
  .strict();
export type LogInfo = z.infer<typeof LogInfo>;

export const ConsistencyProof = z.object({ rootHash: Hex(64), hashes: z.array(Hex(64)) }).strict();

/**
 * An index search by artifact digest, `[sha256:|sha384:|sha512:]<hex>`. Rekor's pattern also takes
 * SHA-1 and leaves out SHA-384; here the algorithms are those an entry may use, so a search for an
 * algorithm no entry can have is refused rather than answered with nothing.
 */
const SearchHash = z.string().superRefine((hash, ctx) => {
  const m = /^(?:([a-z0-9-]+):)?([0-9a-fA-F]+)$/.exec(hash);
  const implied = m ? DIGEST_ALGORITHM_BY_DIGITS[m[2]!.length] : undefined;
  const algorithm = m?.[1] ?? implied;
  if (algorithm !== undefined && !(HASH_ALGORITHMS as readonly string[]).includes(algorithm)) {
    ctx.addIssue({ code: "custom", message: `unsupported hash algorithm '${algorithm}' (expected ${HASH_ALGORITHMS.join(", ")})` });
  } else if (implied === undefined || algorithm !== implied) {
    ctx.addIssue({ code: "custom", message: "expected [sha256:|sha384:|sha512:]<hex digest>" });
  }
});

export const SearchIndex = z
  .object({
    email: z.string().optional(),
    subject: z.string().optional(),
    publicKey: z.object({ format: z.enum(["pgp", "x509", "minisign", "ssh", "tuf"]), content: Base64.optional(), url: z.string().optional() }).strict().optional(),
    hash: SearchHash.optional(),
    operator: z.enum(["and", "or"]).optional(),
  })
  .strict();

export const SearchLogQuery = z
  .object({
    entryUUIDs: z.array(z.string().regex(/^(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/)).optional(),
    logIndexes: z.array(z.number().int().nonnegative()).optional(),
    entries: z.array(z.unknown()).optional(),
  })
  .strict();
