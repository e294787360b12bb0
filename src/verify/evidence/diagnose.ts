import { cpuSignature } from "../../measure/vcpu-types.js";
import { MAX_VCPUS, VCPU_TYPES, VMM_TYPES, parseVcpuCounts } from "../../schema/launch-vocabulary.js";
import type { BootConfiguration, EvidencePolicy } from "../../schema/evidence-policy.js";
import type { Diagnosis } from "../../schema/evidence-verdict.js";
import { bootCandidates, componentOf } from "./boot-candidates.js";
import type { EndorsedValue } from "./endorsements.js";
import { searchSnpLaunchDigest, type BootCandidate, type LaunchMatch, type MatchedConfiguration, type SearchResult } from "./launch-match.js";

export type { Diagnosis };

const GUEST_FEATURES = ["0x1", "0x21"];

function candidateText(c: BootCandidate): string {
  const k = c.kernel;
  return `${c.firmware.component} from ${c.firmware.origin}${k ? ` + kernel ${k.kernel.sha256.slice(0, 12)}… initrd ${k.initrd?.sha256.slice(0, 12) ?? "none"}… cmdline ${k.cmdline.sha256.slice(0, 12)}…` : " (firmware only)"}`;
}

function entryText(e: BootConfiguration): string {
  const vcpus = [...(e.vcpuTypes ?? []), ...(e.vcpuSignatures ?? [])];
  return `${e.vmmTypes.join("/")} ${e.vcpus} vCPUs${vcpus.length ? ` ${vcpus.join("/")}` : ""} guest features ${e.guestFeatures.join("/")} ${e.kernelHashes ? "kernel hashes" : "firmware only"}`;
}

/** Each entry as given and with the other kernel-hashes setting: a firmware-only launch is the commonest surprise. */
const bothBoots = (entries: readonly BootConfiguration[]): BootConfiguration[] => entries.flatMap((e) => [e, { ...e, kernelHashes: !e.kernelHashes }]);

/**
 * Every VMM, vCPU model and vCPU count reftrail knows, with the usual guest features, per convention the
 * policy uses, both kernel-hashes settings: the diagnosis's and `audit find`'s search space.
 */
export function wideEntries(policy: EvidencePolicy): BootConfiguration[] {
  const byConvention = new Map<string, BootConfiguration>();
  for (const e of policy.boot) {
    const key = JSON.stringify(e.conventions);
    const known = byConvention.get(key);
    const guestFeatures = [...new Set([...(known?.guestFeatures ?? GUEST_FEATURES), ...e.guestFeatures])];
    const vcpuSignatures = [...new Set([...(known?.vcpuSignatures ?? []), ...(e.vcpuSignatures ?? [])])];
    byConvention.set(key, {
      vcpus: `1-${MAX_VCPUS}`,
      vmmTypes: [...VMM_TYPES],
      vcpuTypes: [...VCPU_TYPES.keys()],
      ...(vcpuSignatures.length ? { vcpuSignatures } : {}),
      guestFeatures,
      kernelHashes: e.kernelHashes,
      conventions: e.conventions,
    });
  }
  return bothBoots([...byConvention.values()]);
}

/** How a found configuration lies outside the policy's boot entries, dimension by dimension. */
function configurationDifferences(policy: EvidencePolicy, c: MatchedConfiguration): string[] {
  const entries = policy.boot.filter((e) => e.kernelHashes === c.kernelHashes);
  if (entries.length === 0) return [c.kernelHashes ? "a direct boot through the kernel-hashes table, which the policy does not allow" : "a firmware-only boot (no kernel hashes), which the policy does not allow"];
  const differences: string[] = [];
  if (!entries.some((e) => e.vmmTypes.includes(c.vmm as BootConfiguration["vmmTypes"][number]))) differences.push(`VMM ${c.vmm}, not one the policy allows`);
  if (!entries.some((e) => parseVcpuCounts(e.vcpus).includes(c.vcpus))) differences.push(`${c.vcpus} vCPUs, outside the policy's counts (${[...new Set(entries.map((e) => e.vcpus))].join("; ")})`);
  if (!entries.some((e) => e.guestFeatures.some((g) => BigInt(g) === BigInt(c.guestFeatures)))) differences.push(`guest features ${c.guestFeatures} instead of ${[...new Set(entries.flatMap((e) => e.guestFeatures))].join(" or ")}`);
  if (c.vcpuSignature !== null) {
    const allowed = entries.some(
      (e) =>
        (e.vcpuSignatures ?? []).some((s) => BigInt(s) === BigInt(c.vcpuSignature!)) ||
        (e.vcpuTypes ?? []).some((t) => cpuSignature(VCPU_TYPES.get(t)!, e.conventions.signatureConvention) === Number(BigInt(c.vcpuSignature!))),
    );
    if (!allowed) differences.push(`vCPU ${c.vcpuType ?? c.vcpuSignature} (signature ${c.vcpuSignature}), not one the policy allows`);
  }
  return differences;
}

/** How a found boot's components differ from the ones the policy accepts. */
function componentDifferences(policyCandidates: readonly BootCandidate[], found: BootCandidate): string[] {
  const differences: string[] = [];
  // Firmware is compared by what the launch digest measures of it (its layout and page digest), not by which endorsement carried it.
  const layout = (c: BootCandidate) => JSON.stringify(c.firmware.values.layout);
  if (!policyCandidates.some((c) => layout(c) === layout(found))) differences.push(`firmware ${found.firmware.values.layout.snpFirmwareDigest.slice(0, 16)}… from ${found.firmware.origin}, not one the policy accepts`);
  const k = found.kernel;
  if (k) {
    const same = (pick: (c: NonNullable<BootCandidate["kernel"]>) => string | undefined, value: string | undefined) => policyCandidates.some((c) => c.kernel !== undefined && pick(c.kernel) === value);
    if (!same((x) => x.kernel.sha256, k.kernel.sha256)) differences.push(`kernel ${k.kernel.sha256} from ${k.kernel.origin}, not one the policy accepts`);
    if (!same((x) => x.initrd?.sha256, k.initrd?.sha256)) differences.push(`initrd ${k.initrd?.sha256 ?? "(none)"} from ${k.initrd?.origin ?? "-"}, not one the policy accepts`);
    if (!same((x) => x.cmdline.sha256, k.cmdline.sha256)) differences.push(`command line (sha256 with NUL ${k.cmdline.sha256}) from ${k.cmdline.origin}, not one the policy accepts`);
  }
  return differences;
}

const candidateKey = (c: BootCandidate) => JSON.stringify([c.firmware.origin, c.kernel?.kernel.sha256, c.kernel?.initrd?.sha256, c.kernel?.cmdline.sha256]);

/**
 * Boots to try beyond the policy, most specific first, without the cross product of every
 * component of every release: the policy's accepted components with one of them swapped for
 * another endorsed value of the same component, then each release's own components together.
 */
function otherCandidates(open: EvidencePolicy, accepted: readonly EndorsedValue[], all: readonly EndorsedValue[], seen: Set<string>): BootCandidate[] {
  const byRelease = new Map<string, EndorsedValue[]>();
  for (const v of all) byRelease.set(v.outcome.release ?? "", [...(byRelease.get(v.outcome.release ?? "") ?? []), v]);
  const candidates: BootCandidate[] = [];
  const add = (found: BootCandidate[]) => {
    for (const c of found) {
      const key = candidateKey(c);
      if (!seen.has(key)) {
        seen.add(key);
        candidates.push(c);
      }
    }
  };
  const isAccepted = (v: EndorsedValue) => accepted.some((a) => a.outcome.source === v.outcome.source);
  for (const kind of ["firmware", "kernel", "initrd", "cmdline"] as const) {
    const name = componentOf(open, kind)?.name;
    if (name === undefined) continue;
    for (const v of all) if (v.component === name && !isAccepted(v)) add(bootCandidates(open, [...accepted.filter((a) => a.component !== name), v]));
  }
  for (const values of byRelease.values()) add(bootCandidates(open, values));
  return candidates;
}

/**
 * Diagnoses a MEASUREMENT that matched nothing the policy allows: first the policy's own values
 * over every configuration reftrail can recompute (all VMMs, vCPU models, 1-512 vCPUs, both
 * kernel-hashes settings, the usual guest features), then every release the endorsement source
 * holds with the policy's configurations. Only endorsements that verify are searched; the answer
 * names the combination and how it differs from the policy, or says that none produces it.
 */
export function diagnoseMeasurement(
  measurement: Uint8Array,
  policy: EvidencePolicy,
  policyCandidates: readonly BootCandidate[],
  search: SearchResult,
  accepted: readonly EndorsedValue[],
  all: readonly EndorsedValue[],
): Diagnosis {
  const tried = {
    candidates: policyCandidates.map(candidateText),
    configurations: policy.boot.map(entryText),
    digests: search.tried,
    unmeasurable: search.unmeasurable.map((u) => `${candidateText(u.candidate)}: ${u.reason}`),
  };
  const open = { ...policy, boot: bothBoots(policy.boot) };
  const first = [...policyCandidates.map((c) => ({ firmware: c.firmware })), ...policyCandidates.filter((c) => c.kernel !== undefined)];
  const seen = new Set(first.map(candidateKey));
  const passes: [readonly BootCandidate[], readonly BootConfiguration[]][] = [
    [first, wideEntries(policy)],
    [otherCandidates(open, accepted, all, seen), open.boot],
  ];
  let searched = 0;
  let match: LaunchMatch | undefined;
  for (const [candidates, entries] of passes) {
    const result = searchSnpLaunchDigest(measurement, candidates, entries, null);
    searched += result.tried;
    if ((match = result.match)) break;
  }
  const what = `tried ${tried.candidates.length} endorsed boot${tried.candidates.length === 1 ? "" : "s"} × the policy's configurations (${search.tried} launch digests)`;
  if (match === undefined) {
    return { summary: `${what}; no endorsed release and configuration reftrail can recompute (${searched} more launch digests) produces this MEASUREMENT`, tried, searched };
  }
  const differences = [...componentDifferences(policyCandidates, match.candidate), ...configurationDifferences(policy, match.configuration)];
  const k = match.candidate.kernel;
  return {
    summary: `${what}; MEASUREMENT is ${candidateText(match.candidate)} with ${match.configuration.vmm} ${match.configuration.vcpus} vCPUs${match.configuration.vcpuType ? ` ${match.configuration.vcpuType}` : ""} guest features ${match.configuration.guestFeatures}: ${differences.join("; ") || "allowed by the policy only in combinations it does not list"}`,
    tried,
    searched,
    found: {
      firmware: match.candidate.firmware.origin,
      ...(k ? { kernel: { kernel: k.kernel.origin, ...(k.initrd ? { initrd: k.initrd.origin } : {}), cmdline: k.cmdline.origin } } : {}),
      configuration: match.configuration,
      differences,
    },
  };
}
