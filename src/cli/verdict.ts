import type { SnpEvidenceVerdict } from "../schema/evidence-verdict.js";
import type { OakEvidenceVerdict } from "../schema/oak-verdict.js";
import type { CheckResult, CheckStatus } from "../schema/verdict.js";
import type { EndorsementVerdict } from "../verify/endorsement/verifier.js";
import type { ReleaseVerdict } from "../verify/release.js";
import type { ReportVerdict } from "../verify/snp/verifier.js";
import { printable } from "../util/printable.js";
import { formatTable } from "./output.js";

/**
 * The one human rendering of every verdict (schema/verdict.ts): a headline, then a table of the
 * checks with their result, the value expected and the value found (or why it failed, was skipped
 * or could not run). `--json` prints the verdict object itself.
 */

export interface TableWords {
  /**
   * The result of a check that held. `verify report` has always printed "pass" beside its expected
   * and actual columns, and scripts match on it; the others print "passed".
   */
  readonly passed?: "passed" | "pass";
}

const RESULT: Readonly<Record<CheckStatus, string>> = { passed: "passed", failed: "FAIL", skipped: "skipped", "not run": "not run" };

/** What a row shows as found: the actual value, then the detail unless the check passed with a value to show. */
function found(c: CheckResult): string {
  const detail = c.status !== "passed" || c.actual === undefined ? c.detail : undefined;
  return [c.actual, detail].filter((x) => x !== undefined && x !== "").join(": ");
}

export function checkTable(checks: readonly CheckResult[], words: TableWords = {}): string {
  const result = (s: CheckStatus) => (s === "passed" ? (words.passed ?? RESULT.passed) : RESULT[s]);
  return formatTable(["check", "result", "expected", "actual"], checks.map((c) => [c.check, result(c.status), c.expected ?? "", found(c)]));
}

export function verdictText(headline: string, checks: readonly CheckResult[], words: TableWords = {}): string {
  return `${printable(headline)}\n${checkTable(checks, words)}`;
}

/** `verify endorsement` and `verify bundle`: the endorsed component and subject, or the first failure. */
export function endorsementText(verdict: EndorsementVerdict, label: string): string {
  const e = verdict.endorsement;
  const what = e ? `${e.component} (${e.subject.name} ${Object.entries(e.subject.digest).map(([a, d]) => `${a}:${d}`)[0] ?? ""})` : label;
  const head = verdict.verified ? `VERIFIED ${what}` : `NOT VERIFIED ${what}: ${verdict.failure!.check}: ${verdict.failure!.message}`;
  return verdictText(head, verdict.checks);
}

/** `verify report`: product and signing key, or the failed checks. */
export function reportText(verdict: ReportVerdict): string {
  const head = verdict.verified
    ? `VERIFIED SEV-SNP report (${verdict.product ?? "unknown product"}, ${verdict.signer ?? "unknown signer"})`
    : `NOT VERIFIED SEV-SNP report: ${verdict.failures.join(", ")}`;
  return verdictText(head, verdict.checks, { passed: "pass" });
}

/** `verify release`: how many components verified, one row per component folder, then the release checks. */
export function releaseText(verdict: ReleaseVerdict, root: string, expected?: { readonly name: string; readonly version: string }): string {
  const verified = verdict.components.filter((r) => r.verdict?.verified).length;
  const head = `${verdict.verified ? "VERIFIED" : "NOT VERIFIED"} ${root}: ${verified}/${verdict.components.length} components${expected ? ` of ${expected.name} ${expected.version}` : ""}`;
  const rows = verdict.components.map((r) => {
    const v = r.verdict;
    if (!v) return [r.folder, "", "ERROR", `${r.error!.code}: ${r.error!.message}`];
    return [r.folder, v.endorsement?.component ?? "", v.verified ? "VERIFIED" : "FAILED", v.verified ? `log index ${v.logEntry?.logIndex}, valid until ${v.endorsement?.validity.notAfter}` : `${v.failure!.check}: ${v.failure!.message}`];
  });
  const releaseChecks = verdict.checks.filter((c) => c.check.startsWith("RELEASE_"));
  return `${printable(head)}\n${formatTable(["folder", "component", "verdict", "detail"], rows)}${checkTable(releaseChecks)}`;
}

const short = (hex: string | undefined) => (hex === undefined ? "" : hex.length > 24 ? `${hex.slice(0, 16)}…` : hex);

/**
 * `verify evidence`: the verdict with the matched configuration, one row per component (status,
 * how the measurement binds it, expected, found, the endorsement), then the checks that did not
 * pass, and for a mismatch what was tried and what, if anything, produces MEASUREMENT.
 */
export function evidenceText(v: SnpEvidenceVerdict): string {
  const c = v.configuration;
  const root = v.checks.find((k) => k.check === "ROOT_TRUSTED")?.actual ?? "unknown";
  const head = v.verified
    ? `VERIFIED SEV-SNP evidence (${v.product ?? "unknown product"}, ${v.signer ?? "unknown signer"}, root ${root}): MEASUREMENT ${short(v.measurement)} is ${c!.vmm}, ${c!.vcpus} vCPUs${c!.vcpuType ? `, ${c!.vcpuType}` : ""}${c!.vcpuSignature ? ` (${c!.vcpuSignature})` : ""}, guest features ${c!.guestFeatures}, ${c!.kernelHashes ? "kernel hashes" : "firmware only"}`
    : `NOT VERIFIED SEV-SNP evidence: ${v.failures.join(", ")}`;
  const rows = v.components.map((r) => [
    r.component,
    r.status,
    r.boundBy ?? "",
    short(r.expected),
    short(r.found),
    r.endorsement ? `${r.endorsement.source}${r.endorsement.logIndex !== undefined && !r.endorsement.source.includes(" index ") ? ` (log index ${r.endorsement.logIndex})` : ""}` : "",
    r.status === "VERIFIED" ? "" : (r.detail ?? ""),
  ]);
  const problems = v.checks.filter((k) => k.status === "failed" || k.status === "not run").map((k) => (k.subject ? { ...k, check: `${k.check} ${k.subject}` } : k));
  const d = v.diagnosis;
  const tried = d
    ? [
        `tried: ${d.tried.candidates.length ? d.tried.candidates.join("; ") : "no endorsed boot"}`,
        `  under: ${d.tried.configurations.join("; ")}`,
        ...d.tried.unmeasurable.map((u) => `  cannot measure: ${u}`),
        d.found
          ? `found: ${d.found.firmware}${d.found.kernel ? ` with kernel from ${d.found.kernel.kernel}, initrd from ${d.found.kernel.initrd ?? "none"}, command line from ${d.found.kernel.cmdline}` : ""}: ${d.found.differences.join("; ")}`
          : `found: no endorsed release and configuration produces MEASUREMENT (${d.searched} more launch digests recomputed)`,
      ].map(printable).join("\n") + "\n"
    : "";
  return `${printable(head)}\n${formatTable(["component", "status", "bound by", "expected", "found", "endorsement", "detail"], rows)}${problems.length ? `\n${checkTable(problems)}` : ""}${tried ? `\n${tried}` : ""}`;
}

const clip = (text: string, max = 72) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `verify evidence --format oak`: the verdict, one row per component, then the checks that did not pass with their reason. */
export function oakEvidenceText(verdict: OakEvidenceVerdict): string {
  const chain = verdict.evidenceType ?? "unknown chain";
  const head = verdict.verified ? `VERIFIED Oak evidence (${chain}) at ${verdict.at}` : `NOT VERIFIED Oak evidence (${chain}) at ${verdict.at}: ${verdict.failures.join(", ")}`;
  const components = formatTable(
    ["component", "bound by", "result", "expected", "found", "endorsement", "log index"],
    verdict.components.map((r) => [r.component, r.boundBy, r.status === "passed" ? "pass" : RESULT[r.status], clip(r.expected), clip(r.found), r.endorsement?.subject ?? "", r.endorsement?.logIndex?.toString() ?? ""]),
  );
  const failed = verdict.checks.filter((c) => c.status === "failed" || c.status === "not run");
  const reasons = failed.length ? `\n${formatTable(["failed check", "reason"], failed.map((c) => [c.check, c.detail ?? ""]))}` : "";
  return `${printable(head)}\n\n${components}${reasons}`;
}
