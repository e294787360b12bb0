import type { KeySource } from "../keys/key-source.js";
import { cpuSignature } from "../measure/vcpu-types.js";
import { VCPU_TYPES } from "../schema/launch-vocabulary.js";
import type { MeasurementFinding } from "../schema/audit-find.js";
import type { BootConfiguration, ComponentRule, EvidencePolicy } from "../schema/evidence-policy.js";
import type { EndorsementOutcome } from "../schema/evidence-verdict.js";
import type { FirmwareValues } from "../schema/reference-values.js";
import { checkResult, type CheckResult } from "../schema/verdict.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import { toHex } from "../util/bytes.js";
import { ReftrailError } from "../util/errors.js";
import { secondsToNs } from "../util/rfc3339.js";
import { claimedComponent, readEndorsement } from "../verify/endorsement/statement.js";
import { verifyEndorsement } from "../verify/endorsement/verifier.js";
import { bootCandidates } from "../verify/evidence/boot-candidates.js";
import { wideEntries } from "../verify/evidence/diagnose.js";
import type { EndorsedValue, FoundEndorsement } from "../verify/evidence/endorsements.js";
import type { UnavailableStatement } from "../verify/evidence/from-log.js";
import { searchLaunchDigest, type BootCandidate, type LaunchDigestCache } from "../verify/evidence/launch-match.js";

export interface FindTrust {
  readonly keys: KeySource;
  readonly logs: readonly TrustedLogKey[];
}

export interface FindOptions {
  /** Entries of the log whose statements were not at hand (listed in the answer). */
  readonly unavailable?: readonly UnavailableStatement[];
  /** Keep sweeps between calls (a service answering many questions); default: a one-off search. */
  readonly cache?: LaunchDigestCache | null;
}

const CHECKS = {
  ENDORSEMENTS: "endorsements verified with the registry's keys before any value in them is used",
  MEASUREMENT: "an endorsed release and configuration produces the measurement",
} as const;

/** A release's endorsed values, newest release first (by the highest log index among its endorsements). */
interface Release {
  readonly name: string;
  readonly values: EndorsedValue[];
  newest: number;
}

/**
 * Verifies each endorsement with the registry's keys for the component it claims, at the time it
 * was logged (an auditor asks what was endorsed then, whether or not it has expired since).
 * Refused ones are returned with the check that refused them; their values are never read.
 */
function verifiedValues(found: readonly FoundEndorsement[], trust: FindTrust): { values: EndorsedValue[]; refused: EndorsementOutcome[] } {
  const values: EndorsedValue[] = [];
  const refused: EndorsementOutcome[] = [];
  for (const { source, logged } of found) {
    const component = claimedComponent(logged.statement);
    const verdict = verifyEndorsement(logged, { keys: trust.keys, logs: trust.logs, at: secondsToNs(logged.entry.integratedTime), requiredClaims: [], ...(component !== undefined ? { component } : {}), allowSetOnly: false });
    const where = { ...(verdict.logEntry ? { logIndex: verdict.logEntry.logIndex } : {}), ...(verdict.endorsement?.keyId ? { keyId: verdict.endorsement.keyId } : {}) };
    if (!verdict.verified || component === undefined) {
      refused.push({ source, ...(component !== undefined ? { component } : {}), accepted: false, refused: verdict.failure ?? { check: "COMPONENT", message: "names no component" }, ...where });
      continue;
    }
    const own = readEndorsement(logged.statement).reftrail;
    if (own === undefined) {
      refused.push({ source, component, accepted: false, refused: { check: "POLICY", message: "carries no reftrail reference values (predicate.reftrail): nothing to recompute from" }, ...where });
      continue;
    }
    values.push({ component, values: own.component, outcome: { source, component, accepted: true, release: `${own.release.name} ${own.release.version}`, ...where } });
  }
  return { values, refused };
}

function releasesOf(values: readonly EndorsedValue[]): Release[] {
  const byName = new Map<string, Release>();
  for (const v of values) {
    const name = v.outcome.release!;
    const release = byName.get(name) ?? { name, values: [], newest: -1 };
    release.values.push(v);
    release.newest = Math.max(release.newest, v.outcome.logIndex ?? -1);
    byName.set(name, release);
  }
  return [...byName.values()].sort((a, b) => b.newest - a.newest || (a.name < b.name ? -1 : 1));
}

/** The conventions a firmware's published digests were computed with (the defaults when it publishes none). */
function conventionsOf(firmware: FirmwareValues): BootConfiguration["conventions"][] {
  const seen = new Map<string, BootConfiguration["conventions"]>();
  for (const c of firmware.launchDigests) {
    if (c.mode === "sev") continue;
    const conventions = { ec2LegacyRdx: c.conventions.ec2LegacyRdx, vmsaGpa: c.conventions.vmsaGpa, signatureConvention: c.conventions.signatureConvention };
    seen.set(JSON.stringify(conventions), conventions);
  }
  return seen.size ? [...seen.values()] : [{ ec2LegacyRdx: false, signatureConvention: "cpuid" }];
}

/**
 * A release's values as an open policy: each endorsed component taken from its endorsement, boots
 * under every configuration reftrail can recompute (the diagnosis's wide search: every VMM, vCPU
 * model, 1-512 vCPUs, the usual guest features, both kernel-hashes settings) per convention.
 */
function releasePolicy(values: readonly EndorsedValue[], firmware: FirmwareValues): EvidencePolicy {
  const components: Record<string, ComponentRule> = {};
  for (const v of values) components[v.component] ??= { kind: v.values.kind, endorsement: { claims: [], log: { inclusionProof: true } } };
  const boot = conventionsOf(firmware).map((conventions): BootConfiguration => ({ vcpus: "1", vmmTypes: ["QEMU"], vcpuTypes: ["EPYC"], guestFeatures: ["0x1"], kernelHashes: true, conventions }));
  const policy: EvidencePolicy = { version: 1, components, boot };
  return { ...policy, boot: wideEntries(policy) };
}

/**
 * The vCPU models whose VMSA signature is the one found: the measurement cannot tell them apart
 * (EPYC and EPYC-v4 measure alike), so the answer names them all.
 */
function sameSignature(signature: string | null, conventions: readonly BootConfiguration["conventions"][]): { vcpuTypes?: string[] } {
  if (signature === null) return {};
  const wanted = Number(BigInt(signature));
  const types = [...VCPU_TYPES].filter(([, fms]) => conventions.some((c) => cpuSignature(fms, c.signatureConvention) === wanted)).map(([name]) => name);
  return types.length ? { vcpuTypes: types } : {};
}

const sameBoot = (a: BootCandidate, b: BootCandidate) =>
  JSON.stringify(a.firmware.values.layout) === JSON.stringify(b.firmware.values.layout) &&
  a.kernel?.kernel.sha256 === b.kernel?.kernel.sha256 &&
  a.kernel?.initrd?.sha256 === b.kernel?.initrd?.sha256 &&
  a.kernel?.cmdline.sha256 === b.kernel?.cmdline.sha256;

function configurationsText(policy: EvidencePolicy | undefined): string {
  const n = policy?.boot.length ?? 0;
  return `every VMM, vCPU model and 1-512 vCPUs, guest features 0x1 and 0x21, with and without kernel hashes (${n} boot entr${n === 1 ? "y" : "ies"} per release)`;
}

/**
 * Which endorsed release and configuration produces `measurement`. A 48-byte SEV-SNP MEASUREMENT is
 * recomputed with reftrail's measure engine from each release's verified values (firmware alone,
 * and firmware with each endorsed kernel, initrd and command line), sharing the search of `verify
 * evidence`'s diagnosis; releases are tried newest first. A 32-byte SEV or SEV-ES digest needs the
 * firmware image to recompute, so it is looked up in the digests the firmware endorsements publish.
 */
export function findMeasurement(measurement: Uint8Array, endorsements: readonly FoundEndorsement[], trust: FindTrust, options: FindOptions = {}): MeasurementFinding {
  if (measurement.length !== 48 && measurement.length !== 32) throw new ReftrailError("MEASUREMENT_LENGTH", `a measurement is 48 bytes (SEV-SNP) or 32 bytes (SEV, SEV-ES), not ${measurement.length}`);
  const { values, refused } = verifiedValues(endorsements, trust);
  const releases = releasesOf(values);
  const firmwareOf = (r: Release) => r.values.find((v): v is EndorsedValue & { values: FirmwareValues } => v.values.kind === "firmware");
  const notSearched = releases.filter((r) => firmwareOf(r) === undefined).map((r) => `${r.name}: no firmware endorsement (nothing to measure from)`);
  const searchable = releases.filter((r) => firmwareOf(r) !== undefined);
  const snp = measurement.length === 48;
  let digests = 0;
  let candidates = 0;
  const unmeasurable: string[] = [];
  let found: MeasurementFinding["found"];
  let lastPolicy: EvidencePolicy | undefined;
  const hex = toHex(measurement);
  const perRelease: { release: Release; candidates: BootCandidate[] }[] = [];
  for (const release of searchable) {
    const firmware = firmwareOf(release)!;
    if (!snp) {
      for (const c of firmware.values.launchDigests) {
        if (c.mode === "snp") continue;
        const entries: [string, string][] = c.mode === "sev" ? [["any", c.digest]] : Object.entries(c.digests);
        digests += entries.length;
        const hit = entries.find(([, d]) => d === hex);
        if (hit && found === undefined) {
          found = { release: release.name, firmware: firmware.outcome.source, configuration: { mode: c.mode, vmm: c.mode === "sev" ? null : c.vmmType, vcpus: hit[0], vcpuType: c.mode === "sev" ? null : c.vcpuType, kernelHashes: c.boot !== null }, alsoIn: [] };
        } else if (hit && found !== undefined && found.release !== release.name) found.alsoIn.push(release.name);
      }
      continue;
    }
    const policy = (lastPolicy = releasePolicy(release.values, firmware.values));
    const boots = bootCandidates(policy, release.values);
    candidates += boots.length;
    perRelease.push({ release, candidates: boots });
    if (found !== undefined) continue;
    const result = searchLaunchDigest(measurement, boots, policy.boot, options.cache ?? null);
    digests += result.tried;
    unmeasurable.push(...result.unmeasurable.map((u) => `${release.name}: ${u.candidate.firmware.origin}${u.kernelHashes ? " (direct boot)" : ""}: ${u.reason}`));
    if (result.match) {
      const k = result.match.candidate.kernel;
      found = {
        release: release.name,
        firmware: result.match.candidate.firmware.origin,
        ...(k ? { kernel: { kernel: k.kernel.origin, ...(k.initrd ? { initrd: k.initrd.origin } : {}), cmdline: k.cmdline.origin } } : {}),
        configuration: result.match.configuration,
        ...sameSignature(result.match.configuration.vcpuSignature, conventionsOf(firmware.values)),
        alsoIn: [],
      };
    }
  }
  if (found !== undefined && snp) {
    const match = perRelease.find((p) => p.release.name === found!.release)!.candidates.find((c) => c.firmware.origin === found!.firmware && (found!.kernel === undefined) === (c.kernel === undefined) && (c.kernel === undefined || c.kernel.kernel.origin === found!.kernel?.kernel));
    if (match) for (const p of perRelease) if (p.release.name !== found.release && p.candidates.some((c) => sameBoot(c, match))) found.alsoIn.push(p.release.name);
  }
  const searched: MeasurementFinding["searched"] = {
    releases: searchable.map((r) => r.name),
    endorsements: endorsements.length,
    candidates,
    digests,
    configurations: snp ? configurationsText(lastPolicy) : "the SEV and SEV-ES launch digests the firmware endorsements publish",
    unmeasurable,
    notSearched,
  };
  const what = `${searchable.length} release${searchable.length === 1 ? "" : "s"}, ${candidates} endorsed boot${candidates === 1 ? "" : "s"}, ${digests} launch digests${snp ? " recomputed" : " compared"}`;
  const checks: CheckResult[] = [
    values.length > 0
      ? checkResult.passed("ENDORSEMENTS", CHECKS.ENDORSEMENTS, `${values.length} of ${endorsements.length} verified`, undefined, refused.length ? `${refused.length} refused (listed, not used)` : undefined)
      : checkResult.failed("ENDORSEMENTS", CHECKS.ENDORSEMENTS, endorsements.length === 0 ? "no endorsement found in the source" : `none of the ${endorsements.length} endorsements verifies`),
    found !== undefined
      ? checkResult.passed("MEASUREMENT", CHECKS.MEASUREMENT, found.release, undefined, `searched ${what}`)
      : checkResult.failed("MEASUREMENT", CHECKS.MEASUREMENT, `no endorsed release and configuration produces it: searched ${what} (${searched.configurations})`),
  ];
  const failures = checks.filter((c) => c.status !== "passed").map((c) => c.check);
  return {
    verified: found !== undefined,
    failures: found !== undefined ? [] : failures,
    checks,
    measurement: hex,
    mode: snp ? "snp" : "sev/seves",
    ...(found ? { found } : {}),
    searched,
    refused,
    unavailable: [...(options.unavailable ?? [])],
  };
}
