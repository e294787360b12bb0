import { z } from "zod";
import { Base64 } from "./rekor.js";

/** A non-negative int64 as protobuf JSON writes it: a decimal string (safe integers only). */
const Int64 = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string")
  .refine((s) => Number.isSafeInteger(Number(s)), "integer out of range");

export const BUNDLE_V03_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

export const BundleTlogEntry = z
  .object({
    logIndex: Int64,
    logId: z.object({ keyId: Base64 }).strict(),
    kindVersion: z.object({ kind: z.string(), version: z.string() }).strict(),
    integratedTime: Int64,
    inclusionPromise: z.object({ signedEntryTimestamp: Base64 }).strict().optional(),
    inclusionProof: z
      .object({
        logIndex: Int64,
        rootHash: Base64,
        treeSize: Int64,
        hashes: z.array(Base64),
        checkpoint: z.object({ envelope: z.string() }).strict(),
      })
      .strict()
      .optional(),
    canonicalizedBody: Base64,
  })
  .strict();
export type BundleTlogEntry = z.infer<typeof BundleTlogEntry>;

/**
 * A Sigstore bundle v0.3 holding a message signature made with a caller-held key and its Rekor v1
 * entry (`endorsement.sigstore.json`), as `cosign verify-blob --bundle --key` and @sigstore/verify
 * read it.
 */
export const MessageSignatureBundle = z
  .object({
    mediaType: z.literal(BUNDLE_V03_MEDIA_TYPE),
    verificationMaterial: z
      .object({
        publicKey: z.object({ hint: z.string().optional() }).strict(),
        tlogEntries: z.array(BundleTlogEntry).length(1, "expected exactly one transparency-log entry"),
        timestampVerificationData: z
          .object({ rfc3161Timestamps: z.array(z.object({ signedTimestamp: Base64 }).strict()).optional() })
          .strict()
          .optional(),
      })
      .strict(),
    messageSignature: z
      .object({
        messageDigest: z.object({ algorithm: z.literal("SHA2_256"), digest: Base64 }).strict(),
        signature: Base64,
      })
      .strict(),
  })
  .strict()
  .describe("Sigstore bundle v0.3: message signature over the endorsement + hashedrekord entry with SET, inclusion proof and checkpoint");
export type MessageSignatureBundle = z.infer<typeof MessageSignatureBundle>;

/** cosign's older `--rekor-bundle` form: an entry with its SET and no inclusion proof. */
export const CosignRekorBundle = z
  .object({
    SignedEntryTimestamp: Base64,
    Payload: z
      .object({
        body: Base64,
        integratedTime: z.number().int().nonnegative(),
        logID: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lower-case hex digits"),
        logIndex: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
export type CosignRekorBundle = z.infer<typeof CosignRekorBundle>;
