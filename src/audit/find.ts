import type { KeySource } from "../keys/key-source.js";
import { cpuSignature } from "../measure/vcpu-types.js";
import { VCPU_TYPES } from "../schema/launch-vocabulary.js";
import type { MeasurementFinding } from "../schema/audit-find.js";
import type { BootConfiguration } from "../schema/evidence-policy.js";
import type { EndorsementOutcome, SevConfiguration } from "../schema/evidence-verdict.js";
import { checkResult, type CheckResult } from "../schema/verdict.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import { toHex } from "../util/bytes.js";
import { ReftrailError } from "../util/errors.js";
import { secondsToNs } from "../util/rfc3339.js";
import { claimedComponent, readEndorsement } from "../verify/endorsement/statement.js";
import { verifyEndorsement } from "../verify/endorsement/verifier.js";
import type { EndorsedValue, FoundEndorsement } from "../verify/evidence/endorsements.js";
import type { UnavailableStatement } from "../verify/evidence/from-log.js";
import { bootKey, searchLaunchDigest, type BootCandidate, type FoundConfiguration, type LaunchDigestCache, type LaunchMatch } from "../verify/evidence/launch-match.js";
import { MIXED_BOOTS_BOUND, conventionsOf, firmwareOf, mixedReleaseBoots, sameReleaseBoots, type BootBatch, type FirmwareValue, type Release } from "./find-boots.js";
import { provenance, type MeasuredBoot } from "./find-provenance.js";

export interface FindTrust {
  readonly keys: KeySource;
  readonly logs: readonly TrustedLogKey[];
}

export interface FindOptions {
  /** Entries of the log whose statements were not at hand (listed in the answer). */
  readonly unavailable?: readonly UnavailableStatement[];
  /** Keep sweeps between calls (a service answering many questions); default: a one-off search. */
  readonly cache?: LaunchDigestCache | null;
  /** The most boots combining values of different releases to recompute (default MIXED_BOOTS_BOUND of the mode). */
  readonly maxMixedBoots?: number;
}

type Found = NonNullable<MeasurementFinding["found"]>;

const CHECKS = {
  ENDORSEMENTS: "endorsements verified with the registry's keys before any value in them is used",
  MEASUREMENT: "an endorsed release and configuration produces the measurement",
} as const;

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

/** A search's running totals, across its passes. */
interface Tally {
  digests: number;
  readonly unmeasurable: string[];
}

const candidateSource = (c: BootCandidate) => c.firmware.endorsement.release ?? c.firmware.origin;

/** Runs the shared search over batches in order until one matches, counting what it recomputed. */
function searchBatches(measurement: Uint8Array, batches: Iterable<BootBatch>, tally: Tally, swept: Set<string>, cache: LaunchDigestCache | null): LaunchMatch<FoundConfiguration> | undefined {
  for (const batch of batches) {
    const result = searchLaunchDigest(measurement, batch.candidates, batch.entries, cache, swept);
    tally.digests += result.tried;
    tally.unmeasurable.push(...result.unmeasurable.map((u) => `${candidateSource(u.candidate)}: ${u.candidate.firmware.origin}${u.kernelHashes ? " (direct boot)" : ""}: ${u.reason}`));
    if (result.match) return result.match;
  }
  return undefined;
}

const measuredBoot = (c: BootCandidate): MeasuredBoot => ({
  layout: JSON.stringify(c.firmware.values.layout),
  ...(c.kernel ? { kernel: { kernel: c.kernel.kernel.sha256, initrd: c.kernel.initrd?.sha256, cmdline: c.kernel.cmdline.sha256 } } : {}),
});

/** The answer for a recomputed match: where each value came from, the releases that carry it, the configuration. */
function foundByRecomputation(match: LaunchMatch<FoundConfiguration>, releases: readonly Release[]): Found {
  const { candidate, configuration } = match;
  const k = candidate.kernel;
  return {
    ...provenance(measuredBoot(candidate), releases),
    method: "recomputed",
    firmware: candidate.firmware.origin,
    ...(k ? { kernel: { kernel: k.kernel.origin, ...(k.initrd ? { initrd: k.initrd.origin } : {}), cmdline: k.cmdline.origin } } : {}),
    configuration,
    ...sameSignature(configuration.vcpuSignature, conventionsOf(candidate.firmware.values)),
  };
}

/**
 * A 32-byte digest among the SEV and SEV-ES digests the firmware endorsements publish: the cheap
 * first look, and the only one for firmware whose reference values predate the recorded SHA-256 state.
 */
function foundPublished(hex: string, releases: readonly Release[]): { found?: Found; compared: number } {
  let compared = 0;
  for (const release of releases) {
    for (const firmware of release.values.filter((v): v is FirmwareValue => v.values.kind === "firmware")) {
      for (const c of firmware.values.launchDigests) {
        if (c.mode === "snp") continue;
        const entries: [number | null, string][] = c.mode === "sev" ? [[null, c.digest]] : Object.entries(c.digests).map(([n, d]) => [Number(n), d]);
        compared += entries.length;
        const hit = entries.find(([, d]) => d === hex);
        if (hit === undefined) continue;
        const boot: MeasuredBoot = { layout: JSON.stringify(firmware.values.layout), ...(c.boot ? { kernel: { kernel: c.boot.kernelSha256, initrd: c.boot.initrdSha256, cmdline: c.boot.cmdlineSha256 } } : {}) };
        const configuration: SevConfiguration =
          c.mode === "sev"
            ? { mode: "sev", vmm: null, vcpus: null, vcpuType: null, vcpuSignature: null, kernelHashes: c.boot !== null }
            : { mode: "seves", vmm: c.vmmType, vcpus: hit[0], vcpuType: c.vcpuType, vcpuSignature: c.vcpuSignature === null ? null : `0x${BigInt(c.vcpuSignature).toString(16)}`, kernelHashes: c.boot !== null };
        const origin = `endorsement ${firmware.outcome.source}`;
        const published = c.boot && `${origin} (the digests it publishes for a boot of ${c.boot.kernel})`;
        return { found: { ...provenance(boot, releases), method: "published", firmware: origin, ...(published ? { kernel: { kernel: published, initrd: published, cmdline: published } } : {}), configuration }, compared };
      }
    }
  }
  return { compared };
}

function configurationsText(snp: boolean): string {
  const wide = "every VMM, vCPU model and 1-512 vCPUs, with and without kernel hashes";
  return snp ? `${wide}, guest features 0x1 and 0x21` : `the SEV and SEV-ES launch digests the firmware endorsements publish, then SEV and SEV-ES recomputed over ${wide}`;
}

/**
 * Which endorsed release and configuration produces `measurement`, recomputed with reftrail's
 * measure engine from verified endorsed values in the search `verify evidence`'s diagnosis uses: a
 * 48-byte SEV-SNP MEASUREMENT from each firmware's layout and page digest, a 32-byte SEV or SEV-ES
 * digest (after a look in the published ones) from its recorded SHA-256 state. Each release's own
 * values first, newest release first; then values of different releases combined, as a verifier
 * that matches each component on its own accepts them, up to `maxMixedBoots` boots.
 */
export function findMeasurement(measurement: Uint8Array, endorsements: readonly FoundEndorsement[], trust: FindTrust, options: FindOptions = {}): MeasurementFinding {
  if (measurement.length !== 48 && measurement.length !== 32) throw new ReftrailError("MEASUREMENT_LENGTH", `a measurement is 48 bytes (SEV-SNP) or 32 bytes (SEV, SEV-ES), not ${measurement.length}`);
  const { values, refused } = verifiedValues(endorsements, trust);
  const releases = releasesOf(values);
  const notSearched = releases.filter((r) => firmwareOf(r.values) === undefined).map((r) => `${r.name}: no firmware endorsement (nothing to measure from)`);
  const searchable = releases.filter((r) => firmwareOf(r.values) !== undefined);
  const snp = measurement.length === 48;
  const hex = toHex(measurement);
  const cache = options.cache ?? null;
  const tally: Tally = { digests: 0, unmeasurable: [] };
  const swept = new Set<string>();
  const seen = new Set<string>();
  let candidates = 0;
  let mixedBoots = 0;

  let found: Found | undefined;
  if (!snp) {
    const published = foundPublished(hex, searchable);
    tally.digests += published.compared;
    found = published.found;
  }
  if (found === undefined) {
    const own = (function* () {
      for (const batch of sameReleaseBoots(searchable)) {
        candidates += batch.candidates.length;
        for (const c of batch.candidates) seen.add(bootKey(c));
        yield batch;
      }
    })();
    let match = searchBatches(measurement, own, tally, swept, cache);
    if (match === undefined) {
      const mixed = mixedReleaseBoots(searchable, seen, options.maxMixedBoots ?? MIXED_BOOTS_BOUND[snp ? "snp" : "sev"]);
      mixedBoots = mixed.boots;
      notSearched.push(...mixed.notSearched);
      match = searchBatches(measurement, mixed.batches, tally, swept, cache);
    }
    if (match) found = foundByRecomputation(match, searchable);
  }
  const searched: MeasurementFinding["searched"] = {
    releases: searchable.map((r) => r.name),
    endorsements: endorsements.length,
    candidates,
    mixedBoots,
    digests: tally.digests,
    configurations: configurationsText(snp),
    unmeasurable: tally.unmeasurable,
    notSearched,
  };
  const what = `${searchable.length} release${searchable.length === 1 ? "" : "s"}, ${candidates} endorsed boot${candidates === 1 ? "" : "s"} and ${mixedBoots} combining releases, ${tally.digests} launch digests`;
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
