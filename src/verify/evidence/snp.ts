import type { EvidencePolicy } from "../../schema/evidence-policy.js";
import type { ComponentRow, EndorsementOutcome, SnpEvidenceVerdict } from "../../schema/evidence-verdict.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import { checkResult, type CheckResult } from "../../schema/verdict.js";
import { toHex } from "../../util/bytes.js";
import type { Product } from "../snp/abi/product.js";
import { verifyReport, type ReportEvidence } from "../snp/verifier.js";
import { bootCandidates, componentOf } from "./boot-candidates.js";
import { EVIDENCE_CHECKS, type EvidenceCheck } from "./checks.js";
import { diagnoseMeasurement } from "./diagnose.js";
import { endorsedValues, type EndorsedValue, type EndorsementTrust, type FoundEndorsement } from "./endorsements.js";
import type { UnavailableStatement } from "./from-log.js";
import type { MatchedConfiguration, Diagnosis } from "../../schema/evidence-verdict.js";
import { searchSnpLaunchDigest, type BoundValue, type LaunchDigestCache, type LaunchMatch } from "./launch-match.js";

export type { ComponentRow, SnpEvidenceVerdict };

export interface SnpEvidenceInputs {
  readonly report: ReportEvidence;
  /** Every endorsement the source holds (a folder of published components, or the log by component key). */
  readonly endorsements: readonly FoundEndorsement[];
  /** Log entries signed by a component key whose statement was not available: reported, never used. */
  readonly unavailable?: readonly UnavailableStatement[];
}

export interface SnpEvidenceOptions {
  readonly policy: EvidencePolicy;
  readonly trust: EndorsementTrust;
  readonly product?: Product;
  /** Launch-digest tables kept between calls (default: one per process; null: none). */
  readonly cache?: LaunchDigestCache | null;
}

const check = (name: EvidenceCheck, subject?: string) => ({ name, description: EVIDENCE_CHECKS[name], ...(subject ? { subject } : {}) });
const withSubject = (c: CheckResult, subject: string): CheckResult => ({ ...c, subject });

function passed(name: EvidenceCheck, subject: string | undefined, actual: string, expected?: string, detail?: string): CheckResult {
  const c = check(name, subject);
  const r = checkResult.passed(c.name, c.description, actual, expected, detail);
  return subject ? withSubject(r, subject) : r;
}
function failed(name: EvidenceCheck, subject: string | undefined, detail: string, expected?: string, actual?: string): CheckResult {
  const c = check(name, subject);
  const r = checkResult.failed(c.name, c.description, detail, expected, actual);
  return subject ? withSubject(r, subject) : r;
}
function other(status: "skipped" | "notRun", name: EvidenceCheck, subject: string | undefined, detail: string): CheckResult {
  const c = check(name, subject);
  const r = checkResult[status](c.name, c.description, detail);
  return subject ? withSubject(r, subject) : r;
}

const configurationText = (c: MatchedConfiguration) =>
  `${c.vmm}, ${c.vcpus} vCPU${c.vcpus > 1 ? "s" : ""}${c.vcpuType ? `, ${c.vcpuType}` : ""}${c.vcpuSignature ? ` (signature ${c.vcpuSignature})` : ""}, guest features ${c.guestFeatures}, ${c.kernelHashes ? "kernel hashes" : "firmware only"}`;

/** The firmware endorsement's published digest for the matched configuration, if it lists one. */
function endorsedLaunchDigest(firmware: FirmwareValues, match: LaunchMatch): string | undefined {
  const c = match.configuration;
  const kernel = match.candidate.kernel;
  for (const entry of firmware.launchDigests) {
    if (entry.mode !== "snp" || entry.vmmType !== c.vmm || entry.guestFeatures !== c.guestFeatures || entry.vcpuSignature !== c.vcpuSignature) continue;
    const sameBoot = entry.boot === null ? kernel === undefined : kernel !== undefined && entry.boot.kernelSha256 === kernel.kernel.sha256 && entry.boot.cmdlineSha256 === kernel.cmdline.sha256 && entry.boot.initrdSha256 === (kernel.initrd?.sha256 ?? entry.boot.initrdSha256);
    const digest = entry.digests[String(c.vcpus)];
    if (sameBoot && digest !== undefined) return digest;
  }
  return undefined;
}

/** Rows and binding checks per policy component, once the measurement is (or is not) matched. */
function componentResults(policy: EvidencePolicy, endorsed: readonly EndorsedValue[], outcomes: readonly EndorsementOutcome[], match: LaunchMatch | undefined, measurement: string): { rows: ComponentRow[]; checks: CheckResult[] } {
  const rows: ComponentRow[] = [];
  const checks: CheckResult[] = [];
  for (const [name, rule] of Object.entries(policy.components)) {
    const kind = rule.kind;
    if (rule.skip !== undefined) {
      rows.push({ component: name, kind, status: "SKIPPED", boundBy: null, detail: rule.skip.reason });
      checks.push(other("skipped", "COMPONENT_VALUE", name, `skipped by the policy: ${rule.skip.reason}`));
      continue;
    }
    // Where the value comes from.
    const accepted = endorsed.filter((v) => v.component === name);
    if (rule.endorsement !== undefined && accepted.length === 0) {
      const refused = outcomes.filter((o) => o.component === name);
      const why = refused.length === 0 ? "no endorsement of it was found" : refused.map((o) => `${o.source}: ${o.refused!.check}: ${o.refused!.message}`).join("; ");
      rows.push({ component: name, kind, status: "NO_VALUE", boundBy: null, detail: why });
      checks.push(failed("COMPONENT_VALUE", name, `no usable endorsement (${refused.length} found): ${why}`));
      checks.push(other("notRun", "BINDING", name, "no expected value"));
      continue;
    }
    checks.push(passed("COMPONENT_VALUE", name, rule.endorsement !== undefined ? `${accepted.length} endorsement${accepted.length > 1 ? "s" : ""} verified` : "policy literal"));
    // How the measurement binds it.
    const usedFirmware = match?.candidate.firmware;
    const usedKernel = match?.candidate.kernel;
    const table = (value: BoundValue | undefined, how: string) => value && { how, value: value.sha256, origin: value.origin, endorsement: value.endorsement };
    const bound =
      kind === "firmware" ? usedFirmware && { how: "launch digest (firmware pages and metadata)", value: match!.digest, origin: usedFirmware.origin, endorsement: usedFirmware.endorsement } :
      kind === "kernel" ? table(usedKernel?.kernel, "kernel-hashes table in the launch digest") :
      kind === "initrd" ? table(usedKernel?.initrd, "kernel-hashes table in the launch digest") :
      kind === "cmdline" ? table(usedKernel?.cmdline, "kernel-hashes table in the launch digest (with its NUL)") :
      undefined;
    // The row names the endorsement only when it is this component's own (a recorded initrd is vouched for by the kernel's).
    const own = bound?.endorsement?.component === name ? bound.endorsement : undefined;
    const endorsement = own ? { endorsement: { source: own.source, ...(own.logIndex !== undefined ? { logIndex: own.logIndex } : {}), ...(own.release ? { release: own.release } : {}), ...(own.keyId ? { keyId: own.keyId } : {}) } } : {};
    if (match === undefined) {
      rows.push({ component: name, kind, status: "NOT_RUN", boundBy: null, detail: "MEASUREMENT matched no recomputed launch digest" });
      checks.push(other("notRun", "BINDING", name, "MEASUREMENT matched no recomputed launch digest"));
    } else if (bound?.value === undefined) {
      const why =
        kind === "artifact"
          ? "an artifact: no SEV-SNP launch measures it"
          : `the matched launch (${configurationText(match.configuration)}) measures no ${kind}: the firmware boots it without a kernel-hashes table, so the hardware did not measure it`;
      rows.push({ component: name, kind, status: "NOT_BOUND", boundBy: null, detail: why });
      checks.push(failed("BINDING", name, `NOT_BOUND: ${why} (write skip for it in the policy if that is intended)`, "bound by the launch digest", "not measured"));
    } else {
      rows.push({ component: name, kind, status: "VERIFIED", boundBy: bound.how, expected: bound.value, found: kind === "firmware" ? measurement : bound.value, ...endorsement });
      checks.push(passed("BINDING", name, bound.how, undefined, bound.origin));
    }
  }
  return { rows, checks };
}

/**
 * The verdict over the report's checks and the evidence checks. The report's failures are its own
 * (a report check that could not run is a failure: fail closed). An evidence check is "not run"
 * only because one it depends on failed (no MEASUREMENT match, no endorsed firmware), so it is
 * a consequence, not a cause, and `failures` names the cause once; the verdict is never verified
 * while any check failed or did not run.
 */
function evidenceVerdict(reportFailures: readonly string[], checks: readonly CheckResult[]): Pick<SnpEvidenceVerdict, "verified" | "failures" | "checks"> {
  const causes = [...new Set([...reportFailures, ...checks.filter((c) => c.status === "failed").map((c) => c.check)])];
  const verified = causes.length === 0 && checks.every((c) => c.status === "passed" || c.status === "skipped");
  // Fail closed and say why: a check that could not run with nothing failed before it is a cause itself.
  const failures = verified || causes.length ? causes : [...new Set(checks.filter((c) => c.status === "not run").map((c) => c.check))];
  return { verified, failures, checks: [...checks] };
}

/**
 * Verifies SEV-SNP evidence against logged endorsements (issue 11, stack 1: QEMU + OVMF): the
 * report exactly as `verify report` does; every endorsement with the component's rule before any
 * value in it is used; then MEASUREMENT against launch digests recomputed from the endorsed values
 * alone, for every configuration the policy allows; then, per component, how the measurement
 * binds it. A mismatch is diagnosed. Every check runs; the verdict lists each.
 */
export function verifySnpEvidence(inputs: SnpEvidenceInputs, options: SnpEvidenceOptions): SnpEvidenceVerdict {
  const { policy, trust } = options;
  const report = verifyReport(inputs.report, { at: trust.at, ...(policy.platform ? { policy: policy.platform } : {}), ...(options.product ? { product: options.product } : {}) });
  const measurementBytes = inputs.report.report.measurement;
  const measurement = toHex(measurementBytes);
  const { values: endorsed, verified: verifiedValues, outcomes: checked } = endorsedValues(inputs.endorsements, policy, trust);
  const outcomes: EndorsementOutcome[] = [
    ...checked,
    ...(inputs.unavailable ?? []).map((u) => ({
      source: u.source,
      component: u.component,
      accepted: false,
      refused: { check: "STATEMENT_UNAVAILABLE", message: `the entry logs statement sha256 ${u.sha256}, which the statement folder does not hold` },
    })),
  ];
  const candidates = bootCandidates(policy, endorsed);
  const checks: CheckResult[] = [...report.checks];
  let match: LaunchMatch | undefined;
  let diagnosis: Diagnosis | undefined;
  const firmwareName = componentOf(policy, "firmware")!.name;
  if (candidates.length === 0) {
    checks.push(other("notRun", "MEASUREMENT", undefined, `no endorsed firmware '${firmwareName}' to recompute a launch digest from`));
  } else {
    const search = searchSnpLaunchDigest(measurementBytes, candidates, policy.boot, options.cache);
    match = search.match;
    if (match) {
      checks.push(passed("MEASUREMENT", undefined, measurement, match.digest, `${configurationText(match.configuration)}; firmware from ${match.candidate.firmware.origin}`));
      const published = endorsedLaunchDigest(match.candidate.firmware.values, match);
      checks.push(
        published === undefined
          ? other("skipped", "LAUNCH_DIGEST_ENDORSED", undefined, "the firmware endorsement lists no launch digest for this configuration (it was recomputed from the layout)")
          : published === match.digest
            ? passed("LAUNCH_DIGEST_ENDORSED", undefined, published, match.digest)
            : failed("LAUNCH_DIGEST_ENDORSED", undefined, "the endorsed launch digest disagrees with the recomputation from the same endorsement's layout", match.digest, published),
      );
    } else {
      diagnosis = diagnoseMeasurement(measurementBytes, policy, candidates, search, endorsed, verifiedValues);
      checks.push(failed("MEASUREMENT", undefined, diagnosis.summary, `one of ${search.tried} recomputed launch digests`, measurement));
    }
  }
  const components = componentResults(policy, endorsed, outcomes, match, measurement);
  checks.push(...components.checks);
  return {
    ...evidenceVerdict(report.failures, checks),
    format: "snp",
    measurement,
    ...(report.product ? { product: report.product } : {}),
    ...(report.signer === "VCEK" || report.signer === "VLEK" ? { signer: report.signer } : {}),
    components: components.rows,
    ...(match ? { configuration: match.configuration } : {}),
    endorsements: outcomes,
    ...(diagnosis ? { diagnosis } : {}),
  };
}
