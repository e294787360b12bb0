import { ReftrailError } from "../util/errors.js";

export type MeasureErrorCode =
  | "FIRMWARE_TOO_SMALL"
  | "FIRMWARE_NOT_PAGE_ALIGNED"
  | "FOOTER_TABLE_SIZE"
  | "FOOTER_ENTRY_SIZE"
  | "FOOTER_ENTRY_DUPLICATE"
  | "FOOTER_ENTRY_PAYLOAD"
  | "SEV_METADATA_OFFSET"
  | "SEV_METADATA_SIGNATURE"
  | "SEV_METADATA_VERSION"
  | "SEV_METADATA_SIZE"
  | "SEV_METADATA_SECTION"
  | "NO_RESET_BLOCK"
  | "AP_RESET_EIP_ZERO"
  | "NO_KERNEL_HASHES_SECTION"
  | "HASH_TABLE_UNSUPPORTED"
  | "HASH_TABLE_PLACEMENT"
  | "NO_SVSM_INFO"
  | "SVSM_PLACEMENT"
  | "SVSM_LAUNCH"
  | "UNSUPPORTED_VMM"
  | "VCPU_SIGNATURE_REQUIRED"
  | "VCPU_COUNT"
  | "UNKNOWN_VCPU_TYPE"
  | "REFERENCE_LAYOUT"
  | "REFERENCE_INCONSISTENT"
  | "CMDLINE"
  | "FIRMWARE_HASH_LENGTH"
  | "KERNEL_TOO_SMALL"
  | "KERNEL_BOOT_FLAG"
  | "KERNEL_HEADER"
  | "KERNEL_BOOT_PROTOCOL"
  | "KERNEL_SETUP_SIZE"
  | "PE_FORMAT"
  | "UKI_SECTION";

/** A firmware image or launch configuration that cannot produce a launch digest. */
export class MeasureError extends ReftrailError {
  declare readonly code: MeasureErrorCode;

  constructor(code: MeasureErrorCode, message: string, subject?: string) {
    super(code, message, subject);
  }
}
