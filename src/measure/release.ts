import { basename } from "node:path";
import { fromHex, toHex } from "../util/bytes.js";
import { hexDigests, sha256, withSha256, type DigestAlgorithm } from "../util/digest.js";
import { ReftrailError, attributed } from "../util/errors.js";
import type { Component, LaunchDigestSpec, ReleaseManifest } from "../schema/release-manifest.js";
import type { ComponentValues, FirmwareValues, ReferenceValues } from "../schema/reference-values.js";
import { MAX_STATEMENT_BYTES, describeSize, statementSizeBound } from "../schema/endorsement.js";
import { parseVcpuCounts } from "../schema/launch-vocabulary.js";
import { expandConfigurations, identitiesOf, vmmTypes } from "./configurations.js";
import { parseFirmware, type FirmwareImage } from "./firmware/ovmf.js";
import { cmdlineDigests, kernelRecord, measureKernel } from "./kernel/kernel.js";
import { measureLaunch } from "./launch.js";
import { cmdlineBytes, type KernelHashes } from "./sev-hashes.js";
import { DEFAULT_VMSA_GPA } from "./snp/page-info.js";
import { sevFirmwareState } from "./sev/firmware-state.js";
import { snpFirmwareDigest } from "./snp/launch.js";
import { VMM_PROFILES } from "./vmm.js";

/** How a release measurement reaches the files a manifest names (paths as written in the manifest). */
export interface ReleaseFiles {
  /** The whole file, for formats that are parsed (firmware, kernels). */
  read(path: string): Uint8Array;
  /** Streamed digests, for files that are only hashed (initrds, artifacts). */
  digest<A extends DigestAlgorithm>(path: string, algorithms: readonly A[]): Promise<{ digests: Record<A, Uint8Array>; size: number }>;
}

const hex = (v: number | bigint) => `0x${v.toString(16)}`;

/** The manifest field a problem is reported against, e.g. `components[2].path (boot/vmlinuz)`. */
function field(index: number, name: string, detail?: string): string {
  return `components[${index}].${name}${detail === undefined ? "" : ` (${detail})`}`;
}

/** What every component's reference values repeat from its manifest entry. */
function commonFields(component: Component) {
  return { name: component.name, version: component.version, claims: [...component.claims] };
}

type KernelBoot = { hashes: KernelHashes; cmdline: string | undefined };

/**
 * Computes the reference values of every component of a release. Components are hashed once each;
 * a firmware's pages are hashed once whatever the number of launch configurations.
 */
export async function measureRelease(manifest: ReleaseManifest, files: ReleaseFiles, generator: string): Promise<ReferenceValues> {
  const values = new Map<string, ComponentValues>();
  const boots = new Map<string, KernelBoot>();
  const order: Component["kind"][] = ["initrd", "cmdline", "artifact", "kernel", "firmware"];
  const indexed = manifest.components.map((component, index) => ({ component, index }));
  for (const kind of order) {
    for (const { component, index } of indexed.filter((c) => c.component.kind === kind)) {
      values.set(component.name, await measureComponent(component, index, values, boots, files));
    }
  }
  const release = { ...manifest.release };
  const components = manifest.components.map((c) => values.get(c.name)!);
  components.forEach((component, index) => checkEndorsable(release, component, index));
  return { version: 1, release, generator, components };
}

/**
 * Every component is endorsed as one statement carrying its reference values: values that would
 * make that statement larger than a verifier reads are refused here, before anything is signed or
 * logged (a firmware measured for every vCPU count, type, VMM and many guest features can be).
 */
function checkEndorsable(release: ReferenceValues["release"], component: ComponentValues, index: number): void {
  const size = statementSizeBound(release, component);
  if (size > MAX_STATEMENT_BYTES) {
    throw new ReftrailError(
      "STATEMENT_TOO_LARGE",
      `its endorsement would be ${describeSize(size)}, more than the ${describeSize(MAX_STATEMENT_BYTES)} a verifier reads: measure fewer launch-digest configurations (vcpus, vcpuTypes, vmmTypes, guestFeatures) or split the firmware into several components`,
      `components[${index}] (${component.name})`,
    );
  }
}

async function attributedAsync<T>(subject: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ReftrailError ? err.about(subject) : err;
  }
}

async function measureComponent(
  component: Component,
  index: number,
  values: ReadonlyMap<string, ComponentValues>,
  boots: Map<string, KernelBoot>,
  files: ReleaseFiles,
): Promise<ComponentValues> {
  const common = commonFields(component);
  switch (component.kind) {
    case "initrd":
    case "artifact": {
      const { digests, size } = await attributedAsync(field(index, "path", component.path), () =>
        files.digest(component.path, withSha256(component.algorithms)),
      );
      return { ...common, kind: component.kind, size, subject: { name: basename(component.path), digest: hexDigests(digests) } };
    }
    case "cmdline": {
      const cmdline = cmdlineDigests(component.value);
      return {
        ...common,
        kind: "cmdline",
        subject: { name: component.name, digest: { sha256: toHex(cmdline.sha256) } },
        cmdline: { value: cmdline.value, sha256: toHex(cmdline.sha256), sha256WithNul: toHex(cmdline.sha256WithNul) },
      };
    }
    case "kernel":
      return measureKernelComponent(component, index, values, boots, files);
    case "firmware":
      return measureFirmwareComponent(component, index, boots, files);
  }
}

function measureKernelComponent(
  component: Extract<Component, { kind: "kernel" }>,
  index: number,
  values: ReadonlyMap<string, ComponentValues>,
  boots: Map<string, KernelBoot>,
  files: ReleaseFiles,
): ComponentValues {
  const path = field(index, "path", component.path);
  const file = attributed(path, () => files.read(component.path));
  const kernel = attributed(path, () =>
    measureKernel(file, { setupDataModifications: component.setupDataModifications, algorithms: component.algorithms }),
  );
  if (kernel.uki?.initrd && component.initrd) {
    throw new ReftrailError("MANIFEST_CONFLICT", "the UKI carries its own .initrd: remove this field", field(index, "initrd"));
  }
  if (kernel.uki?.cmdline !== undefined && component.cmdline) {
    throw new ReftrailError("MANIFEST_CONFLICT", "the UKI carries its own .cmdline: remove this field", field(index, "cmdline"));
  }
  const initrd = component.initrd === undefined ? undefined : values.get(component.initrd)!;
  const cmdline = component.cmdline === undefined ? undefined : values.get(component.cmdline);
  const record = kernelRecord(kernel, {
    initrd: initrd && { source: initrd.name, digests: initrd.subject.digest },
    cmdline: cmdline?.kind === "cmdline" ? { source: cmdline.name, value: cmdline.cmdline.value } : undefined,
  });
  boots.set(component.name, {
    hashes: {
      kernel: fromHex(record.qemuKernelHashes.kernel)!,
      initrd: fromHex(record.qemuKernelHashes.initrd)!,
      cmdline: fromHex(record.qemuKernelHashes.cmdline)!,
    },
    cmdline: cmdline?.kind === "cmdline" ? cmdline.cmdline.value : undefined,
  });
  return {
    ...commonFields(component),
    kind: "kernel",
    size: file.byteLength,
    subject: { name: basename(component.path), digest: hexDigests(kernel.file) },
    ...record,
  };
}

function measureFirmwareComponent(
  component: Extract<Component, { kind: "firmware" }>,
  index: number,
  boots: ReadonlyMap<string, KernelBoot>,
  files: ReleaseFiles,
): FirmwareValues {
  const path = field(index, "path", component.path);
  const bytes = attributed(path, () => files.read(component.path));
  const firmware = attributed(path, () => parseFirmware(bytes));
  const firmwareDigest = snpFirmwareDigest(firmware);
  const launchDigests = component.launchDigests.flatMap((spec, j) =>
    attributed(field(index, `launchDigests[${j}]`), () => launchDigestsFor(spec, firmware, firmwareDigest, boots)),
  );
  return {
    ...commonFields(component),
    kind: "firmware",
    size: bytes.byteLength,
    subject: { name: basename(component.path), digest: { sha256: toHex(sha256(bytes)) } },
    layout: {
      gpa: hex(firmware.gpa),
      size: firmware.size,
      snpFirmwareDigest: toHex(firmwareDigest),
      sevFirmwareState: toHex(sevFirmwareState(bytes)),
      sevEsResetEip: firmware.sevEsResetEip === undefined ? null : hex(firmware.sevEsResetEip),
      sevHashTable: firmware.sevHashTable ? { gpa: hex(firmware.sevHashTable.gpa), size: hex(firmware.sevHashTable.size) } : null,
      sevMetadata: firmware.sevMetadata ? firmware.sevMetadata.map((s) => ({ gpa: hex(s.gpa), size: hex(s.size), type: hex(s.type) })) : null,
    },
    launchDigests,
  };
}

function launchDigestsFor(
  spec: LaunchDigestSpec,
  firmware: FirmwareImage,
  firmwareDigest: Uint8Array,
  boots: ReadonlyMap<string, KernelBoot>,
): FirmwareValues["launchDigests"] {
  const conventions = {
    ec2LegacyRdx: spec.conventions?.ec2LegacyRdx ?? false,
    cmdlineTrim: spec.conventions?.cmdlineTrim ?? false,
    vmsaGpa: spec.conventions?.vmsaGpa === undefined ? DEFAULT_VMSA_GPA : Number(BigInt(spec.conventions.vmsaGpa)),
    signatureConvention: spec.conventions?.signatureConvention ?? "cpuid",
  };
  const recordedConventions = { ...conventions, vmsaGpa: hex(conventions.vmsaGpa) };
  const bootEntry = spec.boot === undefined ? undefined : boots.get(spec.boot)!;
  const kernelHashes = bootEntry && {
    ...bootEntry.hashes,
    cmdline: conventions.cmdlineTrim ? sha256(cmdlineBytes(bootEntry.cmdline, { trim: true })) : bootEntry.hashes.cmdline,
  };
  const boot = spec.boot && kernelHashes
    ? { kernel: spec.boot, kernelSha256: toHex(kernelHashes.kernel), initrdSha256: toHex(kernelHashes.initrd), cmdlineSha256: toHex(kernelHashes.cmdline) }
    : null;
  const vcpuCounts = spec.vcpus === undefined ? [] : parseVcpuCounts(spec.vcpus);
  // SEV measures no VMSA, so no VMM or vCPU enters its digest.
  const { configurations } =
    spec.mode === "sev"
      ? { configurations: [] }
      : expandConfigurations(spec.mode, vmmTypes(spec.vmmTypes), identitiesOf(spec.vcpuTypes, spec.vcpuSignatures, spec.conventions?.signatureConvention ?? "cpuid"), spec.guestFeatures.map((g) => BigInt(g)));
  const result = measureLaunch({
    mode: spec.mode,
    firmware,
    firmwareDigest: spec.mode === "snp" ? firmwareDigest : undefined,
    kernelHashes,
    configurations,
    vcpuCounts,
    conventions,
  });
  if (!result.perVcpu) return [{ mode: "sev", boot, conventions: recordedConventions, digest: toHex(result.digest) }];
  return configurations.map((c, i) => ({
    mode: spec.mode as "snp" | "seves",
    vmmType: c.vmm,
    vcpuType: VMM_PROFILES[c.vmm].usesVcpuSignature ? c.vcpuType : null,
    vcpuSignature: VMM_PROFILES[c.vmm].usesVcpuSignature && c.vcpuSignature !== undefined ? hex(c.vcpuSignature) : null,
    guestFeatures: spec.mode === "snp" ? hex(c.guestFeatures) : null,
    boot,
    conventions: recordedConventions,
    digests: Object.fromEntries([...result.digests[i]!].map(([n, d]) => [String(n), toHex(d)])),
  }));
}
