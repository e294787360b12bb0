import { expandConfigurations, identitiesOf, vmmTypes } from "../../measure/configurations.js";
import { firmwareFromValues } from "../../measure/compose.js";
import { EMPTY_SHA256, type KernelHashes } from "../../measure/sev-hashes.js";
import { DEFAULT_VMSA_GPA } from "../../measure/snp/page-info.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import { parseVcpuCounts } from "../../measure/vcpu-counts.js";
import { VMM_PROFILES } from "../../measure/vmm.js";
import type { BootConfiguration } from "../../schema/evidence-policy.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";

/** A value that goes into the launch digest, and where it came from (for the report). */
export interface BoundValue {
  /** The component it is the value of, as the policy or the endorsement names it. */
  readonly component: string;
  /** Lower-case hex: the kernel-hashes table entry (SHA-256; the command line's with its NUL). */
  readonly sha256: string;
  /** Which endorsement or policy literal vouches for it. */
  readonly origin: string;
}

/** What a guest could have booted: a firmware, and for a direct boot the three kernel-hashes table entries. */
export interface BootCandidate {
  readonly firmware: { readonly component: string; readonly values: FirmwareValues; readonly origin: string };
  readonly kernel?: { readonly kernel: BoundValue; readonly initrd: BoundValue | undefined; readonly cmdline: BoundValue };
}

/** One guest configuration a launch digest is recomputed for. */
export interface MatchedConfiguration {
  readonly vmm: string;
  readonly vcpus: number;
  readonly vcpuType: string | null;
  readonly vcpuSignature: string | null;
  readonly guestFeatures: string;
  readonly kernelHashes: boolean;
}

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
type DigestTable = ReadonlyMap<string, MatchedConfiguration> | { readonly unmeasurable: string };

/**
 * Launch-digest tables by boot and policy entry. They depend on the endorsed values and the policy
 * alone (no time, no key), so a verifier that sees many reports recomputes them once: a sweep of
 * 1-512 vCPUs over every vCPU model costs some 20 ms, a lookup nothing. Bounded, oldest dropped.
 */
export class LaunchDigestCache {
  private readonly tables = new Map<string, DigestTable>();
  constructor(private readonly capacity = 32) {}

  table(key: string, compute: () => DigestTable): DigestTable {
    let table = this.tables.get(key);
    if (table === undefined) {
      table = compute();
      if (this.tables.size >= this.capacity) this.tables.delete(this.tables.keys().next().value!);
      this.tables.set(key, table);
    }
    return table;
  }
}

const SHARED_CACHE = new LaunchDigestCache();

function digestTable(firmware: ReturnType<typeof firmwareFromValues>, candidate: BootCandidate, entry: BootConfiguration): DigestTable {
  const convention = entry.conventions.signatureConvention;
  const { configurations } = expandConfigurations("snp", vmmTypes(entry.vmmTypes), identitiesOf(entry.vcpuTypes, entry.vcpuSignatures, convention), entry.guestFeatures.map((g) => BigInt(g)));
  const counts = parseVcpuCounts(entry.vcpus);
  const conventions = { ec2LegacyRdx: entry.conventions.ec2LegacyRdx, vmsaGpa: entry.conventions.vmsaGpa === undefined ? DEFAULT_VMSA_GPA : Number(BigInt(entry.conventions.vmsaGpa)) };
  let digests;
  try {
    ({ digests } = snpLaunchDigests(
      { firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest, kernelHashes: candidate.kernel && kernelHashes(candidate.kernel), conventions },
      configurations,
      counts,
    ));
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
    return { unmeasurable: err.message };
  }
  const table = new Map<string, MatchedConfiguration>();
  configurations.forEach((c, i) => {
    const usesSignature = VMM_PROFILES[c.vmm].usesVcpuSignature;
    for (const [vcpus, digest] of digests[i]!) {
      const key = toHex(digest);
      if (table.has(key)) continue;
      table.set(key, {
        vmm: c.vmm,
        vcpus,
        vcpuType: usesSignature ? c.vcpuType : null,
        vcpuSignature: usesSignature && c.vcpuSignature !== undefined ? hex(c.vcpuSignature) : null,
        guestFeatures: hex(c.guestFeatures),
        kernelHashes: entry.kernelHashes,
      });
    }
  });
  return table;
}

/**
 * Recomputes SEV-SNP launch digests, with reftrail's measure engine, for every candidate boot and
 * every configuration the entries allow, until one equals `measurement`. Only endorsed values go
 * in: the firmware's layout and page digest, and the kernel-hashes table entries. The engine
 * shares work within a sweep (firmware chain once, VMSA chains per distinct vCPU state); `cache`
 * keeps whole sweeps for the next report (pass null for a one-off search, as a diagnosis is).
 */
export function searchLaunchDigest(measurement: Uint8Array, candidates: readonly BootCandidate[], entries: readonly BootConfiguration[], cache: LaunchDigestCache | null = SHARED_CACHE): SearchResult {
  const wanted = toHex(measurement);
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
      const table = cache ? cache.table(key, () => digestTable(firmware, candidate, entry)) : digestTable(firmware, candidate, entry);
      if ("unmeasurable" in table) {
        unmeasurable.push({ candidate, kernelHashes: entry.kernelHashes, reason: table.unmeasurable as string });
        continue;
      }
      const map = table as ReadonlyMap<string, MatchedConfiguration>;
      tried += map.size;
      const configuration = map.get(wanted);
      if (configuration) return { match: { candidate, configuration, digest: wanted }, tried, unmeasurable };
    }
  }
  return { match: undefined, tried, unmeasurable };
}
