import { AmdSevSnpEndorsementSchema, type Endorsements } from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import { toHex } from "../../util/bytes.js";
import { OakInputError } from "./errors.js";
import { decodeMessage } from "./proto.js";

/** oak_proto_rust/src/variant.rs: the id of an AmdSevSnpEndorsement in `Endorsements.platform`. */
const AMD_SEV_SNP_ENDORSEMENT_ID = "5a12d00f48a04224bff4975c7657438f";

/**
 * The VCEK (DER) that signed the report: `<type>.root_layer.tee_certificate`, or failing that the
 * platform Variant's AmdSevSnpEndorsement. Undefined when neither carries one.
 */
export function teeCertificate(endorsements: Endorsements): Uint8Array | undefined {
  const type = endorsements.type;
  const fromType = type.case === "oakContainers" || type.case === "oakRestrictedKernel" ? type.value.rootLayer?.teeCertificate : undefined;
  if (fromType !== undefined && fromType.byteLength > 0) return fromType;
  const platform = endorsements.platform;
  if (platform === undefined || platform.value.byteLength === 0) return undefined;
  if (toHex(platform.id) !== AMD_SEV_SNP_ENDORSEMENT_ID) throw new OakInputError("OAK_PROTOBUF", `Endorsements.platform: unexpected variant ID ${toHex(platform.id)}`);
  const cert = decodeMessage(AmdSevSnpEndorsementSchema, platform.value, "Endorsements.platform (AmdSevSnpEndorsement)").teeCertificate;
  return cert.byteLength > 0 ? cert : undefined;
}
