import type { Stage0Measurements } from "../../schema/oak/gen/proto/attestation/eventlog_pb.js";
import type { OakContainersEndorsements, OakRestrictedKernelEndorsements } from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import type { OakContainersReferenceValues, OakRestrictedKernelReferenceValues } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import type { RawDigest } from "../../schema/oak/gen/proto/digest_pb.js";
import { firmwareDigests, kernelDigest } from "./attachments.js";
import { compareBinary, compareCmdline, compareKernel, notConstrained, type Compared, type EndorsementCache } from "./compare.js";
import { fromRawDigest, type DigestSet } from "./digests.js";
import type { EventLogValues } from "./event-log.js";
import type { RootOutcome } from "./root-layer.js";

const sha256 = (bytes: Uint8Array): DigestSet => ({ sha2_256: bytes });
const raw = (d: RawDigest | undefined): DigestSet | undefined => (d === undefined ? undefined : fromRawDigest(d));

/** The stage0 firmware: the report's MEASUREMENT against amd_sev.stage0 (FirmwareAttachment configs when endorsed). */
export function compareStage0(rvs: OakContainersReferenceValues | OakRestrictedKernelReferenceValues, endorsements: OakContainersEndorsements | OakRestrictedKernelEndorsements, root: RootOutcome, cache: EndorsementCache): Compared {
  const spec = { check: "STAGE0", component: "stage0 firmware", boundBy: "report MEASUREMENT", rvPath: "root_layer.amd_sev.stage0" };
  if (root.insecure) return notConstrained(spec, undefined, "root_layer.insecure {}: the report is not verified, so its MEASUREMENT binds nothing");
  const measurement = root.measurement;
  return compareBinary(spec, rvs.rootLayer?.amdSev?.stage0, measurement === undefined ? undefined : { sha2_384: measurement }, endorsements.rootLayer?.stage0, cache, (tre, o) => firmwareDigests(tre.subject, o.claims));
}

/** Stage0's measurements of the kernel layer (the first event, certified by DICE layer 0). */
export function compareKernelLayer(rvs: OakContainersReferenceValues | OakRestrictedKernelReferenceValues, endorsements: OakContainersEndorsements | OakRestrictedKernelEndorsements, stage0: Stage0Measurements, cache: EndorsementCache): Compared[] {
  const kl = rvs.kernelLayer;
  const ke = endorsements.kernelLayer;
  const boundBy = "DICE layer 0 event (Stage0Measurements)";
  const spec = (check: string, component: string, rvPath: string) => ({ check, component, boundBy, rvPath: `kernel_layer.${rvPath}` });
  return [
    compareKernel(spec("KERNEL_IMAGE", "kernel image", "kernel"), kl?.kernel, "image", sha256(stage0.kernelMeasurement), ke?.kernel, cache, (tre, o) => kernelDigest(tre.subject, o.claims, "image")),
    compareKernel(spec("KERNEL_SETUP_DATA", "kernel setup data", "kernel"), kl?.kernel, "setupData", sha256(stage0.setupDataDigest), ke?.kernel, cache, (tre, o) => kernelDigest(tre.subject, o.claims, "setupData")),
    compareCmdline(spec("KERNEL_CMDLINE", "kernel command line", "kernel_cmd_line_text"), kl?.kernelCmdLineText, stage0.kernelCmdline, ke?.kernelCmdLine, cache),
    compareBinary(spec("INITRD", "initial RAM disk", "init_ram_fs"), kl?.initRamFs, sha256(stage0.ramDiskDigest), ke?.initRamFs, cache),
    compareBinary(spec("MEMORY_MAP", "memory map", "memory_map"), kl?.memoryMap, sha256(stage0.memoryMapDigest), ke?.memoryMap, cache),
    compareBinary(spec("ACPI", "ACPI tables", "acpi"), kl?.acpi, sha256(stage0.acpiDigest), ke?.acpi, cache),
  ];
}

/** The layers after the kernel: Oak Containers' system image and container, or the restricted kernel's application. */
export function compareUpperLayers(
  values: EventLogValues,
  rvs: OakContainersReferenceValues | OakRestrictedKernelReferenceValues,
  endorsements: OakContainersEndorsements | OakRestrictedKernelEndorsements,
  cache: EndorsementCache,
): Compared[] {
  if (values.kind === "oak_containers") {
    const rv = rvs as OakContainersReferenceValues;
    const en = endorsements as OakContainersEndorsements;
    const system = { check: "SYSTEM_IMAGE", component: "system image", boundBy: "DICE layer 1 event (SystemLayerData)", rvPath: "system_layer.system_image" };
    const container = (check: string, component: string, field: string) => ({ check, component, boundBy: "DICE layer 2 event (ContainerLayerData)", rvPath: `container_layer.${field}` });
    return [
      compareBinary(system, rv.systemLayer?.systemImage, raw(values.system.systemImage), en.systemLayer?.systemImage, cache),
      compareBinary(container("CONTAINER_BUNDLE", "container bundle", "binary"), rv.containerLayer?.binary, raw(values.container.bundle), en.containerLayer?.binary, cache),
      compareBinary(container("CONTAINER_CONFIG", "container configuration", "configuration"), rv.containerLayer?.configuration, raw(values.container.config), en.containerLayer?.configuration, cache),
    ];
  }
  const rv = rvs as OakRestrictedKernelReferenceValues;
  const en = endorsements as OakRestrictedKernelEndorsements;
  const app = (check: string, component: string, field: string) => ({ check, component, boundBy: "application key certificate event (ApplicationLayerData)", rvPath: `application_layer.${field}` });
  return [
    compareBinary(app("APPLICATION_BINARY", "application binary", "binary"), rv.applicationLayer?.binary, raw(values.application.binary), en.applicationLayer?.binary, cache),
    compareBinary(app("APPLICATION_CONFIG", "application configuration", "configuration"), rv.applicationLayer?.configuration, raw(values.application.config), en.applicationLayer?.configuration, cache),
  ];
}
