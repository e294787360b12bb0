import type { AuditHistory, HistoryEntry } from "../../schema/audit-history.js";
import type { LogEntry } from "../../schema/rekor.js";
import type { CheckResult } from "../../schema/verdict.js";

/**
 * What the web viewer's pages show: the auditor's history of each component (src/audit/history/,
 * the same rows and checks `reftrail audit history` prints), with the raw log entry and statement
 * each row was judged on, so an entry page can hand them to the browser verifier.
 */

/** What every page of one build shares. */
export interface SiteContext {
  /** When the site was built (RFC 3339), shown on every page. */
  readonly builtAt: string;
  /** The log's public key (SPKI PEM): the browser checks checkpoints and SETs with it. */
  readonly logKeyPem: string;
  /** Whether entries were compared with reference-values documents (else no entry is flagged for it). */
  readonly referenceValuesChecked: boolean;
}

/** The log as the auditor found it at build: its checkpoint and its consistency with the one verified before. */
export interface SiteLog {
  readonly source: string;
  readonly publicKeyPem: string;
  readonly audit: AuditHistory["log"];
}

export interface SiteKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly validFrom: string;
  readonly validUntil?: string;
}

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

/** One entry page's input: the auditor's row and what it was judged on. */
export interface SiteEntry {
  readonly component: string;
  /** The auditor's row: release, subject, validity, its checks at build, what changed since the entry before. */
  readonly history: HistoryEntry;
  /** The component key that signed it (SPKI PEM), as the registry lists it. */
  readonly componentKeyPem: string;
  /** Base64 of the raw signature over the statement, as the log body holds it ("" when the body cannot be read). */
  readonly signature: string;
  /** The Rekor v1 log entry, with its inclusion proof and checkpoint. */
  readonly entry: LogEntry;
  /** The statement's bytes when the builder has them (a log entry holds only their hash). */
  readonly statement?: Uint8Array;
  /** For a firmware: the launch digests per configuration. */
  readonly launchDigests: readonly LaunchDigestRow[];
}

/** A timeline row: what the component's pages keep of an entry once its own page is written. */
export interface TimelineRow {
  readonly logIndex: number;
  /** Unix seconds. */
  readonly integratedTime: number;
  readonly release: string;
  readonly subjectSha256?: string;
  readonly keyId: string;
  readonly flagged: boolean;
  readonly status: string;
  readonly changes: readonly string[];
}

/** A component's history as its timeline and the overview show it. */
export interface SiteComponent {
  readonly name: string;
  readonly keys: readonly SiteKey[];
  /** Newest first (by log index). */
  readonly rows: readonly TimelineRow[];
  /** The history's whole checks (LOG_CHECKPOINT, ENTRIES, COMPLETE, REFERENCE_VALUES). */
  readonly verified: boolean;
  readonly checks: readonly CheckResult[];
}

/** What the overview shows of a component. */
export interface ComponentSummary {
  readonly name: string;
  readonly entries: number;
  /** Entries failing a check at build or matching no reference-values document. */
  readonly flagged: number;
  readonly latest?: TimelineRow;
  readonly verified: boolean;
  readonly checks: readonly CheckResult[];
}
