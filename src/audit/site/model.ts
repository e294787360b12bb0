import type { LogEntry } from "../../schema/rekor.js";

/**
 * What the web viewer's pages show, and nothing more: the site builder renders this, whoever fills
 * it. Today history-adapter.ts fills it from a log and its statements; the auditor's
 * `componentHistory` (src/audit/history/) is meant to replace that adapter, mapping its rows here.
 */
export interface SiteModel {
  /** When the site was built (RFC 3339), shown on every page. */
  readonly builtAt: string;
  readonly log: SiteLog;
  /** By component name, in name order. */
  readonly components: readonly SiteComponent[];
  /** Whether entries were compared with reference-values documents (else no entry is flagged). */
  readonly referenceValuesChecked: boolean;
}

export interface SiteLog {
  /** Where the entries came from (a folder or a URL), for the reader. */
  readonly source: string;
  /** The log's public key (SPKI PEM): the browser checks checkpoints and SETs with it. */
  readonly publicKeyPem: string;
  /** The log's signed checkpoint when the site was built. */
  readonly checkpoint: { readonly size: number; readonly rootHash: string; readonly note: string };
}

export interface SiteComponent {
  readonly name: string;
  readonly keys: readonly { readonly keyId: string; readonly publicKeyPem: string; readonly validFrom: string; readonly validUntil?: string }[];
  /** Newest first (by log index). */
  readonly entries: readonly SiteEntry[];
}

/** How an entry compares with the project's reference-values documents. */
export type ReferenceValuesStatus =
  | { readonly status: "matches" }
  | { readonly status: "no-match"; readonly reason: string }
  | { readonly status: "invalid"; readonly reason: string }
  | { readonly status: "not-checked" };

/** An SNP/SEV-ES/SEV launch digest a firmware endorsement vouches for, and its configuration. */
export interface LaunchDigestRow {
  readonly digest: string;
  readonly mode: "snp" | "seves" | "sev";
  readonly vmm: string | null;
  readonly vcpus: number | null;
  readonly vcpuType: string | null;
  readonly vcpuSignature: string | null;
  readonly guestFeatures: string | null;
  /** The direct boot's kernel component, or null for a firmware-only digest. */
  readonly kernel: string | null;
  /** "recomputed": the site builder recomputed it from the endorsed values with src/measure and got the endorsed digest; "endorsed": as the endorsement states it (not recomputable from values alone). */
  readonly origin: "recomputed" | "endorsed";
}

export interface SiteEntry {
  readonly component: string;
  readonly logIndex: number;
  readonly entryId: string;
  /** Unix seconds. */
  readonly integratedTime: number;
  readonly keyId: string;
  /** The component key that signed it (SPKI PEM), as the registry lists it. */
  readonly componentKeyPem: string;
  /** Base64 of the raw signature over the statement. */
  readonly signature: string;
  /** The Rekor v1 log entry, with its inclusion proof and checkpoint. */
  readonly entry: LogEntry;
  /** The statement's bytes when the builder has them (a log entry holds only their hash). */
  readonly statement?: Uint8Array;
  /** Lower-case hex SHA-256 of the statement, as the log body names it. */
  readonly statementSha256: string;
  /** Read from the statement (undefined without one, or when it cannot be read). */
  readonly release?: { readonly name: string; readonly version: string };
  readonly subject?: { readonly name: string; readonly digests: Readonly<Record<string, string>> };
  readonly issuedOn?: string;
  readonly validity?: { readonly notBefore: string; readonly notAfter: string };
  readonly referenceValues: ReferenceValuesStatus;
  /** For a firmware: the launch digests per configuration. */
  readonly launchDigests: readonly LaunchDigestRow[];
}
