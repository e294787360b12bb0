import { expandConfigurations, identitiesOf, vmmTypes, type NamedConfiguration } from "../../measure/configurations.js";
import type { DigestsByVcpus } from "../../measure/config.js";
import { firmwareFromValues } from "../../measure/compose.js";
import { EMPTY_SHA256, type KernelHashes } from "../../measure/sev-hashes.js";
import { DEFAULT_VMSA_GPA } from "../../measure/snp/page-info.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import { parseVcpuCounts } from "../../schema/launch-vocabulary.js";
import { VMM_PROFILES } from "../../measure/vmm.js";
import type { BootConfiguration } from "../../schema/evidence-policy.js";
import type { EndorsementOutcome, MatchedConfiguration } from "../../schema/evidence-verdict.js";
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

export type { MatchedConfiguration };

export interface LaunchMatch {
  readonly candidate: BootCandidate;
  readonly configuration: MatchedConfiguration;
  readonly digest: string;
}

/** A candidate that cannot be measured at all (a direct boot through a firmware without kernel hashes). */
export interface Unmeasurable {
  readonly candidate: BootCandidate;
  readonly kernelHashes: boolean;
  readonly reason: string;
}

export interface SearchResult {
  readonly match: LaunchMatch | undefined;
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
type DigestTable = Map<string, MatchedConfiguration> | { readonly unmeasurable: string };

/**
 * Launch-digest tables by boot and policy entry. They depend on the endorsed values and the policy
 * alone (no time, no key), so a verifier that sees many reports recomputes them once: a sweep of
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

/** One sweep: the engine's digests per configuration, or why the boot cannot be measured. */
function sweep(firmware: ReturnType<typeof firmwareFromValues>, candidate: BootCandidate, entry: BootConfiguration): { configurations: NamedConfiguration[]; digests: DigestsByVcpus[] } | { unmeasurable: string } {
  const convention = entry.conventions.signatureConvention;
  const { configurations } = expandConfigurations("snp", vmmTypes(entry.vmmTypes), identitiesOf(entry.vcpuTypes, entry.vcpuSignatures, convention), entry.guestFeatures.map((g) => BigInt(g)));
  const counts = parseVcpuCounts(entry.vcpus);
  const conventions = { ec2LegacyRdx: entry.conventions.ec2LegacyRdx, vmsaGpa: entry.conventions.vmsaGpa === undefined ? DEFAULT_VMSA_GPA : Number(BigInt(entry.conventions.vmsaGpa)) };
  try {
    const { digests } = snpLaunchDigests(
      { firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest, kernelHashes: candidate.kernel && kernelHashes(candidate.kernel), conventions },
      configurations,
      counts,
    );
    return { configurations, digests };
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
    return { unmeasurable: err.message };
  }
}

function matched(c: NamedConfiguration, vcpus: number, entry: BootConfiguration): MatchedConfiguration {
  const usesSignature = VMM_PROFILES[c.vmm].usesVcpuSignature;
  return {
    vmm: c.vmm,
    vcpus,
    vcpuType: usesSignature ? c.vcpuType : null,
    vcpuSignature: usesSignature && c.vcpuSignature !== undefined ? hex(c.vcpuSignature) : null,
    guestFeatures: hex(c.guestFeatures),
    kernelHashes: entry.kernelHashes,
  };
}

function digestTable(firmware: ReturnType<typeof firmwareFromValues>, candidate: BootCandidate, entry: BootConfiguration): DigestTable {
  const result = sweep(firmware, candidate, entry);
  if ("unmeasurable" in result) return result;
  const table = new Map<string, MatchedConfiguration>();
  result.configurations.forEach((c, i) => {
    for (const [vcpus, digest] of result.digests[i]!) {
      const key = toHex(digest);
      if (!table.has(key)) table.set(key, matched(c, vcpus, entry));
    }
  });
  return table;
}

/** A sweep compared as it comes, nothing kept: for one-off searches such as a diagnosis. */
function scan(measurement: Uint8Array, firmware: ReturnType<typeof firmwareFromValues>, candidate: BootCandidate, entry: BootConfiguration): { found?: MatchedConfiguration; size: number } | { unmeasurable: string } {
  const result = sweep(firmware, candidate, entry);
  if ("unmeasurable" in result) return result;
  let size = 0;
  for (let i = 0; i < result.configurations.length; i++) {
    for (const [vcpus, digest] of result.digests[i]!) {
      size++;
      if (bytesEqual(digest, measurement)) return { found: matched(result.configurations[i]!, vcpus, entry), size };
    }
  }
  return { size };
}

/**
 * Recomputes SEV-SNP launch digests, with reftrail's measure engine, for every candidate boot and
 * every configuration the entries allow, until one equals `measurement`. Only endorsed values go
 * in: the firmware's layout and page digest, and the kernel-hashes table entries. The engine
 * shares work within a sweep (firmware chain once, VMSA chains per distinct vCPU state); `cache`
 * keeps whole sweeps for the next report (pass null for a one-off search, as a diagnosis is).
 */
export function searchLaunchDigest(measurement: Uint8Array, candidates: readonly BootCandidate[], entries: readonly BootConfiguration[], cache: LaunchDigestCache | null | undefined = SHARED_CACHE): SearchResult {
  cache = cache === undefined ? SHARED_CACHE : cache;
  const wanted = toHex(measurement);
  const swept = new Set<string>();
  let tried = 0;
  const unmeasurable: Unmeasurable[] = [];
  for (const candidate of candidates) {
    let firmware: ReturnType<typeof firmwareFromValues>;
    try {
      firmware = firmwareFromValues(candidate.firmware.values);
    } catch (err) {
      unmeasurable.push({ candidate, kernelHashes: false, reason: err instanceof ReftrailError ? err.message : String(err) });
      continue;
    }
    for (const entry of entries) {
      // A firmware-only entry measures no kernel even when the candidate names one, and vice versa.
      if (entry.kernelHashes !== (candidate.kernel !== undefined)) continue;
      const key = JSON.stringify([candidate.firmware.values.layout, candidate.kernel?.kernel.sha256, candidate.kernel?.initrd?.sha256, candidate.kernel?.cmdline.sha256, entry]);
      // The same firmware layout and table entries under the same entry give the same digests, whichever endorsement carried them.
      if (swept.has(key)) continue;
      swept.add(key);
      if (cache === null) {
        const result = scan(measurement, firmware, candidate, entry);
        if ("unmeasurable" in result) {
          unmeasurable.push({ candidate, kernelHashes: entry.kernelHashes, reason: result.unmeasurable });
          continue;
        }
        tried += result.size;
        if (result.found) return { match: { candidate, configuration: result.found, digest: wanted }, tried, unmeasurable };
        continue;
      }
      const table = cache.table(key, () => digestTable(firmware, candidate, entry));
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
