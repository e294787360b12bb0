import type { KeySource } from "../../keys/key-source.js";
import type { LogEntry } from "../../schema/rekor.js";
import type { TrustedLogKey } from "../../tlog/keys.js";

/** What was published for one endorsement, however it was packaged. */
export interface EndorsementEvidence {
  /** The statement bytes exactly as signed. */
  readonly statement: Uint8Array;
  /** The detached DER signature (`endorsement.json.sig`, or the bundle's message signature). */
  readonly signature: Uint8Array;
  readonly entry: LogEntry;
  /** Rekor's entry id (`logentry.json`); bundles and cosign SETs carry none. */
  readonly entryId?: string;
  /**
   * Bundles only: the kind/version the bundle declares, the message digest it states and its own
   * signature (which must be the detached one when both are given).
   */
  readonly bundle?: { readonly kind: string; readonly version: string; readonly messageDigest: Uint8Array; readonly signature: Uint8Array };
  /** Where the evidence came from, for the report. */
  readonly form: "logentry" | "bundle" | "cosign-set";
}

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
