import type { LogEntry } from "../schema/rekor.js";

/**
 * A logged endorsement: the signed statement and its transparency-log entry, however they were
 * packaged (Oak's file set, a Sigstore bundle, cosign's SET). Not attestation evidence: that is
 * what a confidential VM presents, and these are what it is verified against.
 */
export interface LoggedEndorsement {
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
  /** The packaging it came in, for the report. */
  readonly form: "logentry" | "bundle" | "cosign-set";
}
