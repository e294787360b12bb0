import { checkResult, type CheckResult } from "../../schema/verdict.js";

/** Every check `reftrail verify report` reports, by name; the name is the machine-readable code. */
export const SNP_CHECKS = {
  VEK_CERTIFICATE: "VCEK/VLEK is an AMD endorsement key certificate (v3, P-384 key, RSA-PSS SHA-384 salt 48)",
  ISSUER_CERTIFICATE: "ASK/ASVK is the product's AMD signing key certificate and issued the VCEK/VLEK",
  ROOT_TRUSTED: "ARK is a pinned AMD root (or a root the caller trusts) and issued the ASK/ASVK",
  ARK_SIGNATURE: "ARK self-signature",
  ASK_SIGNATURE: "ASK/ASVK signed by the ARK",
  VEK_SIGNATURE: "VCEK/VLEK signed by the ASK/ASVK",
  CERT_VALIDITY: "certificates valid at the verification time",
  CRL: "the ASK/ASVK is not revoked (ARK-signed CRL)",
  REPORT_SIGNATURE: "report signature (ECDSA P-384, SHA-384) by the VCEK/VLEK",
  SIGNER_TYPE: "the report's signing key type is the certificate's",
  PRODUCT: "product from CPUID, certificate and issuer agree",
  CHIP_ID: "VCEK hwID is the report's CHIP_ID",
  TCB_RESERVED: "no TCB_VERSION field sets a byte its product's layout reserves",
  TCB_BINDING: "VCEK/VLEK TCB equals REPORTED_TCB",
  TCB_CURRENT: "VCEK/VLEK TCB is not above CURRENT_TCB",
  HCL_RUNTIME_DATA: "REPORT_DATA is the hash of the Azure HCL runtime data (only for an HCL report)",
  POLICY_REPORT_VERSION: "minimum report version",
  POLICY_PRODUCT: "allowed products",
  POLICY_SIGNER: "allowed signing keys",
  POLICY_MEASUREMENT: "MEASUREMENT is an expected one",
  POLICY_HOST_DATA: "HOST_DATA",
  POLICY_REPORT_DATA: "REPORT_DATA",
  POLICY_FAMILY_ID: "FAMILY_ID",
  POLICY_IMAGE_ID: "IMAGE_ID",
  POLICY_REPORT_ID: "REPORT_ID",
  POLICY_REPORT_ID_MA: "REPORT_ID_MA",
  POLICY_ID_KEY: "ID_KEY_DIGEST is a trusted one",
  POLICY_AUTHOR_KEY: "AUTHOR_KEY_DIGEST is a trusted one",
  POLICY_GUEST_SVN: "minimum GUEST_SVN",
  POLICY_VMPL: "allowed VMPL",
  POLICY_GUEST_POLICY: "guest POLICY: minimum ABI, permitted and required bits",
  POLICY_TCB_REPORTED: "minimum REPORTED_TCB",
  POLICY_TCB_CURRENT: "minimum CURRENT_TCB",
  POLICY_TCB_COMMITTED: "minimum COMMITTED_TCB",
  POLICY_TCB_LAUNCH: "minimum LAUNCH_TCB",
  POLICY_FIRMWARE: "minimum firmware version and build",
  POLICY_PROVISIONAL_FIRMWARE: "committed firmware equals current (no provisional firmware)",
  POLICY_PLATFORM_INFO: "PLATFORM_INFO allowed and required bits",
  POLICY_MITIGATION_LAUNCH: "LAUNCH_MIT_VECTOR has the required bits",
  POLICY_MITIGATION_CURRENT: "CURRENT_MIT_VECTOR has the required bits",
  POLICY_CHIP_ID: "CHIP_ID is an allowed one",
} as const;

export type SnpCheck = keyof typeof SNP_CHECKS;

/** A result of one of these checks, in the shared model (schema/verdict.ts). */
export type SnpCheckResult = CheckResult & { readonly check: SnpCheck };

export const passed = (check: SnpCheck, actual: string, expected?: string): SnpCheckResult => ({ ...checkResult.passed(check, SNP_CHECKS[check], actual, expected), check });
/** A failed report check says what it expected and found; a detail only when there is more to say. */
export const failed = (check: SnpCheck, expected: string, actual: string, detail?: string): SnpCheckResult => ({ check, description: SNP_CHECKS[check], status: "failed", expected, actual, ...(detail ? { detail } : {}) });
export const skipped = (check: SnpCheck, detail: string): SnpCheckResult => ({ ...checkResult.skipped(check, SNP_CHECKS[check], detail), check });
export const notRun = (check: SnpCheck, detail: string): SnpCheckResult => ({ ...checkResult.notRun(check, SNP_CHECKS[check], detail), check });
