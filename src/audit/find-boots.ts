import type { BootConfiguration, ComponentRule, EvidencePolicy } from "../schema/evidence-policy.js";
import type { FirmwareValues } from "../schema/reference-values.js";
import { bootCandidates, tableEntry } from "../verify/evidence/boot-candidates.js";
import { wideEntries } from "../verify/evidence/diagnose.js";
import type { EndorsedValue } from "../verify/evidence/endorsements.js";
import { bootKey, type BootCandidate } from "../verify/evidence/launch-match.js";

/** A release's verified values; releases are ordered newest first (by the highest log index among their endorsements). */
export interface Release {
  readonly name: string;
  readonly values: EndorsedValue[];
  newest: number;
}

export type FirmwareValue = EndorsedValue & { values: FirmwareValues };

export const firmwareOf = (values: readonly EndorsedValue[]) => values.find((v): v is FirmwareValue => v.values.kind === "firmware");

/** A batch of boots searched under the same entries. */
export interface BootBatch {
  readonly candidates: readonly BootCandidate[];
  readonly entries: readonly BootConfiguration[];
}

/**
 * The most boots made of values of different releases that one search recomputes. Each costs one
 * sweep of every configuration: some 25 ms for an SEV-SNP MEASUREMENT (10,000 boots, 100 firmware
 * releases × 100 releases of kernel, initrd and command line, are minutes), some 120 ms for SEV and
 * SEV-ES (their VMSA chains are hashed in JavaScript, from the recorded state: 1,000 boots, minutes
 * too). What lies beyond the bound is named, not searched.
 */
export const MIXED_BOOTS_BOUND = { snp: 10_000, sev: 1_000 } as const;

/** The conventions a firmware's published digests were computed with (the defaults when it publishes none). */
export function conventionsOf(firmware: FirmwareValues): BootConfiguration["conventions"][] {
  const seen = new Map<string, BootConfiguration["conventions"]>();
  for (const c of firmware.launchDigests) {
    if (c.mode === "sev") continue;
    const conventions = { ec2LegacyRdx: c.conventions.ec2LegacyRdx, vmsaGpa: c.conventions.vmsaGpa, signatureConvention: c.conventions.signatureConvention };
    seen.set(JSON.stringify(conventions), conventions);
  }
  return seen.size ? [...seen.values()] : [{ ec2LegacyRdx: false, signatureConvention: "cpuid" }];
}

/**
 * Values as an open policy: each endorsed component taken from its endorsement, boots under every
 * configuration reftrail can recompute (the diagnosis's wide search: every VMM, vCPU model, 1-512
 * vCPUs, the usual guest features, both kernel-hashes settings) per convention of the firmware.
 */
export function openPolicy(values: readonly EndorsedValue[], firmware: FirmwareValues): EvidencePolicy {
  const components: Record<string, ComponentRule> = {};
  for (const v of values) components[v.component] ??= { kind: v.values.kind, endorsement: { claims: [], log: { inclusionProof: true } } };
  const boot = conventionsOf(firmware).map((conventions): BootConfiguration => ({ vcpus: "1", vmmTypes: ["QEMU"], vcpuTypes: ["EPYC"], guestFeatures: ["0x1"], kernelHashes: true, conventions }));
  const policy: EvidencePolicy = { version: 1, components, boot };
  return { ...policy, boot: wideEntries(policy) };
}

/** The boots of `values` under an open policy for `firmware`, all of them. */
function boots(firmware: FirmwareValue, values: readonly EndorsedValue[]): BootBatch {
  const all = [firmware, ...values.filter((v) => v.values.kind !== "firmware")];
  const policy = openPolicy(all, firmware.values);
  return { candidates: bootCandidates(policy, all), entries: policy.boot };
}

/** Each release's own values together, newest release first: the usual answer, and cheap. */
export function* sameReleaseBoots(releases: readonly Release[]): Generator<BootBatch & { release: Release }> {
  for (const release of releases) {
    const firmware = firmwareOf(release.values);
    if (firmware !== undefined) yield { release, ...boots(firmware, release.values) };
  }
}

/** One value per distinct measured content and component, the newest release's: copies of it add no boot. */
function distinct<T extends EndorsedValue>(values: readonly T[], key: (v: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const v of values) if (!byKey.has(key(v))) byKey.set(key(v), v);
  return [...byKey.values()];
}

export interface MixedSearch {
  /** Batches of boots not yet given, in order, within the bound. */
  readonly batches: BootBatch[];
  /** How many boots the batches hold. */
  readonly boots: number;
  /** What the bound left out, in words. */
  readonly notSearched: string[];
}

/**
 * Boots that combine values endorsed in different releases, as a verifier that matches each
 * component against its own endorsements accepts them, excluding boots in `seen` (already
 * searched). First each firmware with each other release's kernel, initrd and command line
 * together (firmware and OS released apart), then each firmware with any kernel, initrd and command
 * line of any release; at most `bound` boots in all, the rest named in `notSearched`.
 */
export function mixedReleaseBoots(releases: readonly Release[], seen: ReadonlySet<string>, bound: number): MixedSearch {
  const newest = releases.flatMap((r) => r.values);
  const firmwares = distinct(
    newest.filter((v): v is FirmwareValue => v.values.kind === "firmware"),
    (v) => JSON.stringify(v.values.layout),
  );
  const given = new Set(seen);
  const batches: BootBatch[] = [];
  const notSearched: string[] = [];
  let count = 0;
  const take = (batch: BootBatch): boolean => {
    const fresh = batch.candidates.filter((c) => c.kernel !== undefined && !given.has(bootKey(c)));
    if (count + fresh.length > bound) return false;
    for (const c of fresh) given.add(bootKey(c));
    count += fresh.length;
    if (fresh.length) batches.push({ candidates: fresh, entries: batch.entries });
    return true;
  };
  const others = releases.filter((r) => r.values.some((v) => v.values.kind === "kernel"));
  let cut = 0;
  for (const firmware of firmwares) {
    for (const release of others) if (!take(boots(firmware, release.values))) cut++;
  }
  if (cut) notSearched.push(`${cut} of ${firmwares.length * others.length} pairs of a firmware release and another release's kernel, initrd and command line: over the bound of ${bound} boots combining releases`);
  const parts = distinct(
    newest.filter((v) => v.values.kind !== "firmware" && tableEntry(v.values) !== undefined),
    (v) => JSON.stringify([v.component, v.values.kind, tableEntry(v.values), v.values.kind === "kernel" ? v.values.qemuKernelHashes : null]),
  );
  const byKind = (kind: string) => Math.max(1, parts.filter((v) => v.values.kind === kind).length);
  const product = firmwares.length * byKind("kernel") * byKind("initrd") * byKind("cmdline");
  if (product > bound - count) {
    notSearched.push(`kernel, initrd and command line each from a different release: ${product} combinations with the ${firmwares.length} firmware${firmwares.length === 1 ? "" : "s"}, over the bound of ${bound} boots combining releases`);
  } else {
    for (const firmware of firmwares) take(boots(firmware, parts));
  }
  return { batches, boots: count, notSearched };
}
