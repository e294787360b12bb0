import type { SiteEntry } from "../model.js";

export const releaseText = (e: SiteEntry): string => (e.release ? `${e.release.name} ${e.release.version}` : "unknown (no statement)");

export const timeText = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** Highlighted on every page: matches no reference-values document, or does not verify at build. */
export const flagged = (e: SiteEntry): boolean => e.referenceValues.status === "no-match" || e.referenceValues.status === "invalid";

export function referenceValuesText(e: SiteEntry): string {
  switch (e.referenceValues.status) {
    case "matches":
      return "matches its release's reference values";
    case "no-match":
      return `matches no reference-values document: ${e.referenceValues.reason}`;
    case "invalid":
      return `does not verify: ${e.referenceValues.reason}`;
    case "not-checked":
      return "not compared (the site was built without --reference-values)";
  }
}

export const short = (hex: string, n = 12): string => (hex.length > n ? `${hex.slice(0, n)}…` : hex);
