import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  AmdSevSnpEndorsementSchema,
  ApplicationEndorsementSchema,
  ContainerEndorsementSchema,
  FirmwareEndorsementSchema,
  KernelEndorsementSchema,
  SystemEndorsementSchema,
  type Endorsements,
  type SignedEndorsement,
  type TransparentReleaseEndorsement,
} from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import type { Variant } from "../../schema/oak/gen/proto/variant_pb.js";
import { checkResult, type CheckResult } from "../../schema/verdict.js";
import { bytesEqual, toHex } from "../../util/bytes.js";
import { OakInputError } from "./errors.js";
import { decodeMessage } from "./proto.js";

/** Variant ids (oak_proto_rust/src/variant.rs). */
const IDS = {
  AmdSevSnpEndorsement: "5a12d00f48a04224bff4975c7657438f",
  FirmwareEndorsement: "de4a0d5560ea4dc6abd109ed744f80ea",
  KernelEndorsement: "89511d655d354601900b1e6dbaf842b6",
  SystemEndorsement: "4722655d963d4fc98443f14571dd32a2",
  ContainerEndorsement: "7297a51fa05d49a1afdb64cdee07862d",
  ApplicationEndorsement: "e84ed714669d430aa60f8a651e5a5503",
} as const;

/** A Variant's message: none for an empty id, else the id must be the type's ("unexpected variant ID"). */
function unpack<Desc extends DescMessage>(variant: Variant | undefined, schema: Desc, id: string, what: string): MessageShape<Desc> | undefined {
  if (variant === undefined || variant.id.byteLength === 0) return undefined;
  if (toHex(variant.id) !== id) throw new OakInputError("OAK_PROTOBUF", `${what}: unexpected variant ID ${toHex(variant.id)} (expected ${id})`, "Endorsements");
  return decodeMessage(schema, variant.value, `${what} (${schema.name})`);
}

/** The VCEK in `Endorsements.platform` (an AmdSevSnpEndorsement), if any. */
export function platformCertificate(endorsements: Endorsements): Uint8Array | undefined {
  const cert = unpack(endorsements.platform, AmdSevSnpEndorsementSchema, IDS.AmdSevSnpEndorsement, "Endorsements.platform")?.teeCertificate;
  return cert !== undefined && cert.byteLength > 0 ? cert : undefined;
}

/** The VCEK that signed the report: `<type>.root_layer.tee_certificate`, else the platform Variant's. */
export function teeCertificate(endorsements: Endorsements): Uint8Array | undefined {
  const type = endorsements.type;
  const fromType = type.case === "oakContainers" || type.case === "oakRestrictedKernel" ? type.value.rootLayer?.teeCertificate : undefined;
  return fromType !== undefined && fromType.byteLength > 0 ? fromType : platformCertificate(endorsements);
}

const DESCRIPTION = "the event-based endorsements (Endorsements.platform, initial, events) carry the same bytes as the release endorsements verified";

/**
 * Oak's Endorsements carry each endorsement twice: as a TransparentReleaseEndorsement (what
 * reftrail verifies, Oak's one-shot path) and as a SignedEndorsement in a Variant (Oak's policy
 * path). Where both are present they must be the same statement, signature, attachment and log
 * entry, and the platform VCEK the same certificate, so that no unverified copy disagrees.
 */
export function endorsementVariantsCheck(endorsements: Endorsements): CheckResult {
  const type = endorsements.type;
  if (type.case !== "oakContainers" && type.case !== "oakRestrictedKernel") return checkResult.skipped("ENDORSEMENT_VARIANTS", DESCRIPTION, "no release endorsements");
  const pairs: [string, SignedEndorsement | undefined, TransparentReleaseEndorsement | undefined][] = [];
  const firmware = unpack(endorsements.initial, FirmwareEndorsementSchema, IDS.FirmwareEndorsement, "Endorsements.initial");
  pairs.push(["firmware", firmware?.firmware, type.value.rootLayer?.stage0]);
  const events = endorsements.events;
  const kernel = unpack(events[0], KernelEndorsementSchema, IDS.KernelEndorsement, "Endorsements.events[0]");
  const kl = type.value.kernelLayer;
  pairs.push(["kernel", kernel?.kernel, kl?.kernel], ["kernel_cmd_line", kernel?.kernelCmdLine, kl?.kernelCmdLine], ["init_ram_fs", kernel?.initRamFs, kl?.initRamFs], ["memory_map", kernel?.memoryMap, kl?.memoryMap], ["acpi", kernel?.acpi, kl?.acpi]);
  if (type.case === "oakContainers") {
    const system = unpack(events[1], SystemEndorsementSchema, IDS.SystemEndorsement, "Endorsements.events[1]");
    const container = unpack(events[2], ContainerEndorsementSchema, IDS.ContainerEndorsement, "Endorsements.events[2]");
    pairs.push(["system_image", system?.systemImage, type.value.systemLayer?.systemImage], ["container binary", container?.binary, type.value.containerLayer?.binary], ["container configuration", container?.configuration, type.value.containerLayer?.configuration]);
  } else {
    const app = unpack(events[1], ApplicationEndorsementSchema, IDS.ApplicationEndorsement, "Endorsements.events[1]");
    pairs.push(["application binary", app?.binary, type.value.applicationLayer?.binary], ["application configuration", app?.configuration, type.value.applicationLayer?.configuration]);
  }
  const differ: string[] = [];
  let compared = 0;
  for (const [name, signed, tre] of pairs) {
    if (signed === undefined) continue;
    compared++;
    const same =
      tre !== undefined &&
      bytesEqual(signed.endorsement?.serialized ?? new Uint8Array(), tre.endorsement) &&
      bytesEqual(signed.signature?.raw ?? new Uint8Array(), tre.endorsementSignature) &&
      bytesEqual(signed.endorsement?.subject ?? new Uint8Array(), tre.subject) &&
      bytesEqual(signed.rekorLogEntry, tre.rekorLogEntry);
    if (!same) differ.push(name);
  }
  const vcek = type.value.rootLayer?.teeCertificate;
  const platform = platformCertificate(endorsements);
  if (platform !== undefined && vcek !== undefined && vcek.byteLength > 0) {
    compared++;
    if (!bytesEqual(platform, vcek)) differ.push("platform VCEK");
  }
  if (differ.length) return checkResult.failed("ENDORSEMENT_VARIANTS", DESCRIPTION, `differ from the release endorsements: ${differ.join(", ")}`);
  return compared ? checkResult.passed("ENDORSEMENT_VARIANTS", DESCRIPTION, `${compared} identical`) : checkResult.skipped("ENDORSEMENT_VARIANTS", DESCRIPTION, "no event-based endorsements");
}
