import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { ComponentName } from "./release-manifest.js";
import { Rfc3339 } from "./time.js";

/**
 * One key a component may be endorsed with, and when. Modelled on npm's registry keys.json
 * (`validFor {start, end}`): a rotated-out key keeps verifying what was logged while it was valid.
 */
export const RegisteredKey = z
  .object({
    keyId: Sha256Hex.describe("SHA-256 of the key's SPKI DER"),
    publicKey: z.string().describe("PEM SubjectPublicKeyInfo (ECDSA P-256)"),
    validFor: z
      .object({ start: Rfc3339, end: Rfc3339.optional().describe("absent while the key is in use") })
      .strict()
      .describe("the key may sign endorsements logged in this window (bounds inclusive)"),
    comment: z.string().optional(),
  })
  .strict();
export type RegisteredKey = z.infer<typeof RegisteredKey>;

export const KeyRegistry = z
  .object({
    version: z.literal(1),
    components: z.record(ComponentName, z.array(RegisteredKey).min(1)),
  })
  .strict()
  .describe("Which public keys may endorse which component, and when (`reftrail keys generate --registry`)");
export type KeyRegistry = z.infer<typeof KeyRegistry>;
