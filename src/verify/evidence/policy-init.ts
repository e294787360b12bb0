import type { BootConfiguration, ComponentRule, EvidencePolicy } from "../../schema/evidence-policy.js";
import type { ComponentValues, FirmwareValues, ReferenceValues } from "../../schema/reference-values.js";
import { referenceValuesDigest } from "../endorsement/verifier.js";

/** `1,2,3,5` → `1-3,5`: the vCPU counts a release lists, as a policy writes them. */
export function vcpuRanges(counts: readonly number[]): string {
  const sorted = [...new Set(counts)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** One published configuration: the atoms a policy's boot entries are built from. */
interface Atom {
  vmm: string;
  identity: { type: string | null; signature: string | null };
  guestFeatures: string;
  kernelHashes: boolean;
  conventions: BootConfiguration["conventions"];
  vcpus: string;
}

/**
 * Groups atoms into as few boot entries as possible without widening them: atoms are merged along
 * one dimension at a time, only where everything else is equal, so each entry's combinations are
 * exactly atoms the release published.
 */
function bootEntries(atoms: readonly Atom[]): BootConfiguration[] {
  type Box = { vmms: string[]; identities: Atom["identity"][]; guestFeatures: string[]; rest: Omit<Atom, "vmm" | "identity" | "guestFeatures"> };
  const merge = (boxes: Box[], along: "guestFeatures" | "identities" | "vmms"): Box[] => {
    const groups = new Map<string, Box>();
    for (const box of boxes) {
      const { [along]: _dimension, ...others } = box;
      const key = JSON.stringify(others);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { ...box, [along]: [...box[along]] });
      else (group[along] as unknown[]).push(...(box[along] as unknown[]));
    }
    return [...groups.values()];
  };
  let boxes: Box[] = atoms.map((a) => ({ vmms: [a.vmm], identities: [a.identity], guestFeatures: [a.guestFeatures], rest: { kernelHashes: a.kernelHashes, conventions: a.conventions, vcpus: a.vcpus } }));
  boxes = merge(merge(merge(boxes, "guestFeatures"), "identities"), "vmms");
  return boxes.map((b) => {
    const types = b.identities.filter((i) => i.type !== null).map((i) => i.type!);
    const signatures = b.identities.filter((i) => i.type === null && i.signature !== null).map((i) => i.signature!);
    return {
      vcpus: b.rest.vcpus,
      vmmTypes: b.vmms as BootConfiguration["vmmTypes"],
      ...(types.length ? { vcpuTypes: types } : {}),
      ...(signatures.length ? { vcpuSignatures: signatures } : {}),
      guestFeatures: b.guestFeatures,
      kernelHashes: b.rest.kernelHashes,
      conventions: b.rest.conventions,
    };
  });
}

/** The SNP configurations a firmware's reference values publish launch digests for. */
function publishedConfigurations(firmware: FirmwareValues): BootConfiguration[] {
  const atoms: Atom[] = [];
  for (const entry of firmware.launchDigests) {
    if (entry.mode !== "snp") continue;
    atoms.push({
      vmm: entry.vmmType,
      identity: { type: entry.vcpuType, signature: entry.vcpuSignature },
      guestFeatures: entry.guestFeatures ?? "0x0",
      kernelHashes: entry.boot !== null,
      conventions: {
        ec2LegacyRdx: entry.conventions.ec2LegacyRdx,
        vmsaGpa: entry.conventions.vmsaGpa,
        signatureConvention: entry.conventions.signatureConvention,
      },
      vcpus: vcpuRanges(Object.keys(entry.digests).map(Number)),
    });
  }
  return bootEntries(atoms);
}

/**
 * A verification policy for one release with strict defaults: exactly the release's components,
 * each from an endorsement naming this release with exactly these reference values (and the
 * claims the release gave it), logged with an inclusion proof; exactly the SNP configurations the
 * release published launch digests for. A component the release's launch digests do not measure
 * (a kernel booted by a firmware without kernel hashes, a file the hardware never sees) is written
 * as `skip` with the reason: the policy says in the open what the measurement cannot vouch for.
 */
export function policyForRelease(values: ReferenceValues): EvidencePolicy {
  const firmwares = values.components.filter((c): c is FirmwareValues => c.kind === "firmware");
  if (firmwares.length !== 1) throw new RangeError(`a verification policy covers one firmware; the release has ${firmwares.length}`);
  const firmware = firmwares[0]!;
  const boot = publishedConfigurations(firmware);
  if (boot.length === 0) throw new RangeError(`firmware '${firmware.name}' publishes no SEV-SNP launch digest`);
  const booted = firmware.launchDigests.flatMap((e) => (e.mode !== "sev" && e.boot !== null ? [e.boot] : []));
  const bound = (c: ComponentValues): boolean => {
    if (c.kind === "firmware") return true;
    if (c.kind === "kernel") return booted.some((b) => b.kernel === c.name);
    if (c.kind === "initrd") return booted.some((b) => b.initrdSha256 === c.subject.digest.sha256);
    if (c.kind === "cmdline") return booted.some((b) => b.cmdlineSha256 === c.cmdline.sha256WithNul);
    return false;
  };
  const components: Record<string, ComponentRule> = {};
  for (const c of values.components) {
    if (!bound(c)) {
      const reason =
        c.kind === "artifact"
          ? "an artifact: no SEV-SNP launch measures it"
          : `not in any launch digest the release publishes (firmware '${firmware.name}' ${firmware.layout.sevHashTable && BigInt(firmware.layout.sevHashTable.size) > 0n ? "is published without a kernel-hashes boot" : "has no kernel-hashes table"}): an SNP report cannot bind it`;
      components[c.name] = { kind: c.kind, skip: { reason } };
      continue;
    }
    components[c.name] = {
      kind: c.kind,
      endorsement: {
        claims: c.claims,
        release: { name: values.release.name, version: values.release.version },
        valuesSha256: referenceValuesDigest(c),
        log: { inclusionProof: true },
      },
    };
  }
  return {
    version: 1,
    description: `written by reftrail policy init for ${values.release.name} ${values.release.version}`,
    components,
    boot,
  };
}
