import type { HistoryEntry } from "../../../schema/audit-history.js";
import type { SiteContext, SiteEntry, TimelineRow } from "../model.js";

export const releaseText = (e: HistoryEntry): string => (e.release ? `${e.release.name} ${e.release.version}` : "unknown (no statement)");

export const timeText = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** The checks that failed at build, other than REFERENCE_VALUES (a flag, said on its own). */
const failedChecks = (e: HistoryEntry) => e.checks.filter((c) => c.status === "failed" && c.check !== "REFERENCE_VALUES");

/** Highlighted on every page: matches no reference-values document, or a check failed when the site was built. */
export const flagged = (e: HistoryEntry): boolean => e.flagged !== undefined || failedChecks(e).length > 0;

/** The auditor's word on an entry at build, in one sentence. */
export function statusText(e: HistoryEntry, ctx: SiteContext): string {
  const failed = failedChecks(e);
  if (failed.length > 0) return `does not verify: ${failed.map((c) => `${c.check} ${c.detail ?? ""}`.trim()).join("; ")}`;
  if (e.flagged !== undefined) return `matches no reference-values document: ${e.flagged}`;
  if (!ctx.referenceValuesChecked) return "verified; not compared with reference values (built without --reference-values)";
  return "verified; matches its release's reference values";
}

export function timelineRow(e: SiteEntry, ctx: SiteContext): TimelineRow {
  const h = e.history;
  const sha256 = h.subject?.digest["sha256"];
  return {
    logIndex: h.logIndex,
    integratedTime: e.entry.integratedTime,
    release: releaseText(h),
    ...(sha256 !== undefined ? { subjectSha256: sha256 } : {}),
    keyId: h.keyId,
    flagged: flagged(h),
    status: statusText(h, ctx),
    changes: h.changes,
  };
}

export const short = (hex: string, n = 12): string => (hex.length > n ? `${hex.slice(0, n)}…` : hex);
