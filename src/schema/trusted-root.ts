import { z } from "zod";
import { Base64 } from "./rekor.js";
import { Rfc3339 } from "./time.js";

export const TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

const TransparencyLog = z.looseObject({
  baseUrl: z.string().url(),
  hashAlgorithm: z.string(),
  publicKey: z.looseObject({
    rawBytes: Base64,
    keyDetails: z.string(),
    validFor: z.looseObject({ start: Rfc3339.optional(), end: Rfc3339.optional() }).optional(),
  }),
  logId: z.looseObject({ keyId: Base64 }),
});

/**
 * A Sigstore TrustedRoot (`trusted_root.json`), read for its transparency logs only. Other members
 * (CAs, CT logs, TSAs) are allowed and ignored: keyed endorsements use none of them.
 */
export const TrustedRoot = z.looseObject({
  mediaType: z.literal(TRUSTED_ROOT_MEDIA_TYPE),
  tlogs: z.array(TransparencyLog),
});
export type TrustedRoot = z.infer<typeof TrustedRoot>;
