import { expandConfigurations, identitiesOf, vmmTypes, type NamedConfiguration } from "../../measure/configurations.js";
import type { DigestsByVcpus } from "../../measure/config.js";
import { firmwareFromValues } from "../../measure/compose.js";
import { EMPTY_SHA256, type KernelHashes } from "../../measure/sev-hashes.js";
import { DEFAULT_VMSA_GPA } from "../../measure/snp/page-info.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import { sevLaunchDigest, sevesLaunchDigests } from "../../measure/sev/launch.js";
import { parseVcpuCounts } from "../../schema/launch-vocabulary.js";
import { VMM_PROFILES } from "../../measure/vmm.js";
import type { BootConfiguration } from "../../schema/evidence-policy.js";
import type { EndorsementOutcome, MatchedConfiguration, SevConfiguration } from "../../schema/evidence-verdict.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import { bytesEqual, fromHex, toHex } from "../../util/bytes.js";
import { BoundedCache } from "../../util/bounded-cache.js";
import { ReftrailError } from "../../util/errors.js";

/** A value that goes into the launch digest, and where it came from (for the report). */
export interface BoundValue {
  /** The component it is the value of, as the policy or the endorsement names it. */
  readonly component: string;
  /** Lower-case hex: the kernel-hashes table entry (SHA-256; the command line's with its NUL). */
  readonly sha256: string;
  /** Which endorsement or policy literal vouches for it, in words. */
  readonly origin: string;
  /** The endorsement it came from, when it came from one. */
  readonly endorsement?: EndorsementOutcome;
}

/** What a guest could have booted: a firmware, and for a direct boot the three kernel-hashes table entries. */
export interface BootCandidate {
  readonly firmware: { readonly component: string; readonly values: FirmwareValues; readonly origin: string; readonly endorsement: EndorsementOutcome };
  readonly kernel?: { readonly kernel: BoundValue; readonly initrd: BoundValue | undefined; readonly cmdline: BoundValue };
}

export type { MatchedConfiguration, SevConfiguration };

/** What a 48-byte SEV-SNP MEASUREMENT is matched to, or a 32-byte SEV or SEV-ES digest. */
export type FoundConfiguration = MatchedConfiguration | SevConfiguration;

export const isSnpConfiguration = (c: FoundConfiguration): c is MatchedConfiguration => !("mode" in c);

export interface LaunchMatch<C extends FoundConfiguration = MatchedConfiguration> {
  readonly candidate: BootCandidate;
  readonly configuration: C;
  readonly digest: string;
}

/** A candidate that cannot be measured at all (a direct boot through a firmware without kernel hashes). */
export interface Unmeasurable {
  readonly candidate: BootCandidate;
  readonly kernelHashes: boolean;
  readonly reason: string;
}

export interface SearchResult<C extends FoundConfiguration = MatchedConfiguration> {
  /** Its configuration is a MatchedConfiguration for a 48-byte measurement, an SevConfiguration (or none) for a 32-byte one. */
  readonly match: LaunchMatch<C> | undefined;
  /** How many launch digests were recomputed. */
  readonly tried: number;
  readonly unmeasurable: readonly Unmeasurable[];
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

function kernelHashes(kernel: NonNullable<BootCandidate["kernel"]>): KernelHashes {
  return {
    kernel: fromHex(kernel.kernel.sha256)!,
    initrd: kernel.initrd === undefined ? EMPTY_SHA256 : fromHex(kernel.initrd.sha256)!,
    cmdline: fromHex(kernel.cmdline.sha256)!,
  };
}

/** The launch digests of one boot under one policy entry, by hex digest (the first configuration to give each). */
type DigestTable = Map<string, FoundConfiguration> | { readonly unmeasurable: string };

/**
 * Launch-digest tables by boot and policy entry. They depend on the endorsed values and the policy
 * and the measurement's kind alone (no time, no key), so a verifier that sees many reports recomputes them once: a sweep of
 * 1-512 vCPUs over every vCPU model costs some 20 ms, a lookup nothing. Bounded, oldest dropped.
 */
export class LaunchDigestCache {
  private readonly tables: BoundedCache<string, DigestTable>;
  constructor(capacity = 32) {
    this.tables = new BoundedCache(capacity);
  }

  table(key: string, compute: () => DigestTable): DigestTable {
    return this.tables.getOrCompute(key, compute);
  }
}

const SHARED_CACHE = new LaunchDigestCache();

type Firmware = ReturnType<typeof firmwareFromValues>;

/** One sweep's digests, in groups of one configuration each, with what a digest of the group stands for. */
type Sweep = { readonly digests: DigestsByVcpus; readonly at: (vcpus: number) => FoundConfiguration }[];

/** The configurations an entry stands for under one launch mode. */
function entryConfigurations(entry: BootConfiguration, mode: "snp" | "seves"): { configurations: NamedConfiguration[]; counts: number[]; conventions: { ec2LegacyRdx: boolean; vmsaGpa: number } } {
  const convention = entry.conventions.signatureConvention;
  const { configurations } = expandConfigurations(mode, vmmTypes(entry.vmmTypes), identitiesOf(entry.vcpuTypes, entry.vcpuSignatures, convention), entry.guestFeatures.map((g) => BigInt(g)));
  const conventions = { ec2LegacyRdx: entry.conventions.ec2LegacyRdx, vmsaGpa: entry.conventions.vmsaGpa === undefined ? DEFAULT_VMSA_GPA : Number(BigInt(entry.conventions.vmsaGpa)) };
  return { configurations, counts: parseVcpuCounts(entry.vcpus), conventions };
}

/** The QEMU vCPU identity a configuration puts in its VMSA, as reported. */
function vcpuOf(c: NamedConfiguration): { vcpuType: string | null; vcpuSignature: string | null } {
  const usesSignature = VMM_PROFILES[c.vmm].usesVcpuSignature;
  return { vcpuType: usesSignature ? c.vcpuType : null, vcpuSignature: usesSignature && c.vcpuSignature !== undefined ? hex(c.vcpuSignature) : null };
}

function snpSweep(firmware: Firmware, candidate: BootCandidate, entry: BootConfiguration): Sweep {
  const { configurations, counts, conventions } = entryConfigurations(entry, "snp");
  const { digests } = snpLaunchDigests({ firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest, kernelHashes: candidate.kernel && kernelHashes(candidate.kernel), conventions }, configurations, counts);
  return configurations.map((c, i) => ({ digests: digests[i]!, at: (vcpus) => ({ vmm: c.vmm, vcpus, ...vcpuOf(c), guestFeatures: hex(c.guestFeatures), kernelHashes: entry.kernelHashes }) }));
}

/**
 * SEV (firmware and kernel-hashes table only) and SEV-ES (then one VMSA per vCPU, guest features
 * always 0), continued from the SHA-256 chaining value after the firmware that its reference values
 * record: the same recomputation from endorsed values as SNP, the same entries.
 */
function sevSweep(firmware: Firmware, candidate: BootCandidate, entry: BootConfiguration): Sweep {
  if (firmware.sevFirmwareState === undefined) {
    throw new ReftrailError("SEV_FIRMWARE_STATE", "its reference values record no SHA-256 state after the firmware (made before reftrail recorded it): SEV and SEV-ES digests can only be looked up in the published ones");
  }
  const sev = { ...firmware.layout, sha256State: firmware.sevFirmwareState };
  const table = candidate.kernel && kernelHashes(candidate.kernel);
  const { configurations, counts, conventions } = entryConfigurations(entry, "seves");
  const seves = sevesLaunchDigests(sev, configurations, counts, table, conventions);
  return [
    { digests: new Map([[1, sevLaunchDigest(sev, table)]]), at: () => ({ mode: "sev", vmm: null, vcpus: null, vcpuType: null, vcpuSignature: null, kernelHashes: entry.kernelHashes }) },
    ...configurations.map((c, i): Sweep[number] => ({ digests: seves[i]!, at: (vcpus) => ({ mode: "seves", vmm: c.vmm, vcpus, ...vcpuOf(c), kernelHashes: entry.kernelHashes }) })),
  ];
}

/** One sweep: the engine's digests per configuration, or why the boot cannot be measured. */
function sweep(sevFamily: boolean, firmware: Firmware, candidate: BootCandidate, entry: BootConfiguration): Sweep | { unmeasurable: string } {
  try {
    return sevFamily ? sevSweep(firmware, candidate, entry) : snpSweep(firmware, candidate, entry);
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
    return { unmeasurable: err.message };
  }
}

function digestTable(sevFamily: boolean, firmware: Firmware, candidate: BootCandidate, entry: BootConfiguration): DigestTable {
  const result = sweep(sevFamily, firmware, candidate, entry);
  if ("unmeasurable" in result) return result;
  const table = new Map<string, FoundConfiguration>();
  for (const group of result) {
    for (const [vcpus, digest] of group.digests) {
      const key = toHex(digest);
      if (!table.has(key)) table.set(key, group.at(vcpus));
    }
  }
  return table;
}

/** A sweep compared as it comes, nothing kept: for one-off searches such as a diagnosis. */
function scan(measurement: Uint8Array, sevFamily: boolean, firmware: Firmware, candidate: BootCandidate, entry: BootConfiguration): { found?: FoundConfiguration; size: number } | { unmeasurable: string } {
  const result = sweep(sevFamily, firmware, candidate, entry);
  if ("unmeasurable" in result) return result;
  let size = 0;
  for (const group of result) {
    for (const [vcpus, digest] of group.digests) {
      size++;
      if (bytesEqual(digest, measurement)) return { found: group.at(vcpus), size };
    }
  }
  return { size };
}

/** What the launch digest measures of a boot: two candidates with the same key give the same digests, whichever endorsements carried them. */
export function bootKey(c: BootCandidate): string {
  const f = c.firmware.values.layout;
  return JSON.stringify([f, c.kernel?.kernel.sha256, c.kernel?.initrd?.sha256, c.kernel?.cmdline.sha256]);
}

/**
 * Recomputes launch digests, with reftrail's measure engine, for every candidate boot and every
 * configuration the entries allow, until one equals `measurement`: SEV-SNP for a 48-byte
 * MEASUREMENT, SEV and SEV-ES for a 32-byte digest. Only endorsed values go in: the firmware's
 * layout and page digest (SNP) or SHA-256 chaining value (SEV, SEV-ES), and the kernel-hashes table
 * entries. The engine shares work within a sweep (firmware chain once, VMSA chains per distinct
 * vCPU state); `cache` keeps whole sweeps for the next report (pass null for a one-off search, as a
 * diagnosis is). `swept` carries the boots already searched across calls (a search in passes).
 */
export function searchLaunchDigest(
  measurement: Uint8Array,
  candidates: readonly BootCandidate[],
  entries: readonly BootConfiguration[],
  cache: LaunchDigestCache | null | undefined = SHARED_CACHE,
  swept: Set<string> = new Set(),
): SearchResult<FoundConfiguration> {
  cache = cache === undefined ? SHARED_CACHE : cache;
  const wanted = toHex(measurement);
  const sevFamily = measurement.length === 32;
  let tried = 0;
  const unmeasurable: Unmeasurable[] = [];
  for (const candidate of candidates) {
    let firmware: Firmware;
    try {
      firmware = firmwareFromValues(candidate.firmware.values);
    } catch (err) {
      unmeasurable.push({ candidate, kernelHashes: false, reason: err instanceof ReftrailError ? err.message : String(err) });
      continue;
    }
    for (const entry of entries) {
      // A firmware-only entry measures no kernel even when the candidate names one, and vice versa.
      if (entry.kernelHashes !== (candidate.kernel !== undefined)) continue;
      const key = JSON.stringify([sevFamily, bootKey(candidate), entry]);
      // The same firmware layout and table entries under the same entry give the same digests, whichever endorsement carried them.
      if (swept.has(key)) continue;
      swept.add(key);
      if (cache === null) {
        const result = scan(measurement, sevFamily, firmware, candidate, entry);
        if ("unmeasurable" in result) {
          unmeasurable.push({ candidate, kernelHashes: entry.kernelHashes, reason: result.unmeasurable });
          continue;
        }
        tried += result.size;
        if (result.found) return { match: { candidate, configuration: result.found, digest: wanted }, tried, unmeasurable };
        continue;
      }
      const table = cache.table(key, () => digestTable(sevFamily, firmware, candidate, entry));
      if (!(table instanceof Map)) {
        unmeasurable.push({ candidate, kernelHashes: entry.kernelHashes, reason: table.unmeasurable });
        continue;
      }
      tried += table.size;
      const configuration = table.get(wanted);
      if (configuration) return { match: { candidate, configuration, digest: wanted }, tried, unmeasurable };
    }
  }
  return { match: undefined, tried, unmeasurable };
}

/** `searchLaunchDigest` for a 48-byte SEV-SNP MEASUREMENT, whose matches are SNP configurations (what `verify evidence` searches). */
export function searchSnpLaunchDigest(measurement: Uint8Array, candidates: readonly BootCandidate[], entries: readonly BootConfiguration[], cache?: LaunchDigestCache | null, swept?: Set<string>): SearchResult {
  if (measurement.length !== 48) throw new ReftrailError("MEASUREMENT_LENGTH", `an SEV-SNP MEASUREMENT is 48 bytes, not ${measurement.length}`);
  const result = searchLaunchDigest(measurement, candidates, entries, cache, swept);
  const match = result.match;
  if (match === undefined) return { ...result, match: undefined };
  const { configuration } = match;
  if (!isSnpConfiguration(configuration)) throw new Error("an SEV-SNP search matched a non-SNP configuration");
  return { ...result, match: { ...match, configuration } };
}
