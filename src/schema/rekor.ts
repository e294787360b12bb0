import { z } from "zod";

/** Standard base64 (RFC 4648 §4) with padding. */
export const Base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "expected standard base64");
const Hex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${digits}}$`), `expected ${digits} hex digits`);
/** What Rekor writes, and all a verifier accepts: lower case (the SET signs logID as written). */
const LowerHex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-f]{${digits}}$`), `expected ${digits} lower-case hex digits`);

const HashAlgorithm = z.enum(["sha256", "sha384", "sha512"]);
const DIGEST_DIGITS = { sha256: 64, sha384: 96, sha512: 128 } as const;

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

export const SearchIndex = z
  .object({
    email: z.string().optional(),
    subject: z.string().optional(),
    publicKey: z.object({ format: z.enum(["pgp", "x509", "minisign", "ssh", "tuf"]), content: Base64.optional(), url: z.string().optional() }).strict().optional(),
    hash: z
      .string()
      .regex(/^(?:(?:sha256:)?[0-9a-fA-F]{64}|(?:sha384:)?[0-9a-fA-F]{96}|(?:sha512:)?[0-9a-fA-F]{128}|(?:sha1:)?[0-9a-fA-F]{40})$/, "expected [sha256:|sha384:|sha512:|sha1:]<hex digest>")
      .optional(),
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
