import type { KeySource } from "../../keys/key-source.js";
import type { TrustedLogKey } from "../../tlog/keys.js";

/** What `verify endorsement` requires of a logged endorsement. */
export interface EndorsementPolicy {
  readonly keys: KeySource;
  readonly logs: readonly TrustedLogKey[];
  /** Verification time, ns since the epoch. */
  readonly at: bigint;
  readonly requiredClaims: readonly string[];
  /** The component the endorsement must be for (with a registry: whose keys to use). */
  readonly component?: string;
  /** Expected subject digest: an algorithm (or undefined to infer it from the length) and hex. */
  readonly subjectDigest?: { readonly algorithm?: string; readonly hex: string };
  /** Accept an entry that has a SET but no inclusion proof and checkpoint (lower assurance). */
  readonly allowSetOnly: boolean;
  /**
   * "artifact": the signed bytes are any artifact (a plain Sigstore keyed bundle), not an endorsement
   * statement, so the statement checks do not apply. Default "endorsement".
   */
  readonly signed?: "endorsement" | "artifact";
}
