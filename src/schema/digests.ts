import { z } from "zod";
import { hexBytes } from "./common.js";

export const DIGEST_ALGORITHMS = ["sha256", "sha384", "sha512"] as const;
export const DigestAlgorithmName = z.enum(DIGEST_ALGORITHMS);

/** Digests of one byte string by algorithm (in-toto DigestSet style), lower-case hex. */
export const DigestSet = z
  .object({ sha256: hexBytes(32).optional(), sha384: hexBytes(48).optional(), sha512: hexBytes(64).optional() })
  .strict()
  .refine((d) => Object.keys(d).length > 0, "at least one digest");
export type DigestSet = z.infer<typeof DigestSet>;
