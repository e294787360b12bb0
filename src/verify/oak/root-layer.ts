import { createHash } from "node:crypto";
import { TeePlatform, type RootLayerEvidence } from "../../schema/oak/gen/proto/attestation/evidence_pb.js";
import type { RootLayerReferenceValues } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import { checkResult, type CheckResult } from "../../schema/verdict.js";
import { toHex } from "../../util/bytes.js";
import { parseCertificate } from "../x509/certificate.js";
import { REPORT_SIZE, parseReport, type AttestationReport } from "../snp/abi/report.js";
import { verifyReport } from "../snp/verifier.js";
import { amdSnpPolicy, impossibleFmc } from "./amd-policy.js";
import { inInput, OakInputError } from "./errors.js";

export const ROOT_CHECKS = {
  ROOT_PLATFORM: "the evidence's TEE platform is one the reference values accept",
  ECA_KEY_BINDING: "REPORT_DATA[0..32] is SHA-256 of the root layer's eca_public_key",
  TEE_CERTIFICATE: "the endorsements carry the VCEK (root_layer.tee_certificate) that signed the report",
  TCB_REFERENCE_VALUE: "the reference values set a TCB minimum (or skip) for the report's product",
} as const;
type RootCheck = keyof typeof ROOT_CHECKS;
const passed = (c: RootCheck, actual: string, expected?: string) => checkResult.passed(c, ROOT_CHECKS[c], actual, expected);
const failed = (c: RootCheck, detail: string, expected?: string, actual?: string) => checkResult.failed(c, ROOT_CHECKS[c], detail, expected, actual);

export interface RootOutcome {
  readonly checks: readonly CheckResult[];
  /** The report's MEASUREMENT (AMD only): what the stage0 reference value is compared with. */
  readonly measurement?: Uint8Array;
  /** Only the ECA key binding was checked (`insecure {}` reference values): the report binds nothing else. */
  readonly insecure: boolean;
}

/** Oak's binding of the DICE root: the first 32 bytes of REPORT_DATA are SHA-256 of eca_public_key's bytes. */
function ecaBinding(reportData: Uint8Array, ecaPublicKey: Uint8Array): CheckResult {
  const expected = toHex(createHash("sha256").update(ecaPublicKey).digest());
  const actual = toHex(reportData.subarray(0, 32));
  return expected === actual ? passed("ECA_KEY_BINDING", actual, expected) : failed("ECA_KEY_BINDING", "the root ECA key is not bound to the attestation report", expected, actual);
}

/**
 * The root layer: for AMD SEV-SNP, reftrail's report verification (VCEK chain to AMD's pinned
 * roots, report signature, CHIP_ID and TCB binding) with Oak's report values as its policy, then
 * the ECA key binding; with `insecure {}` reference values only the binding (any platform); a
 * TEE_PLATFORM_NONE report never passes AMD reference values. A report or VCEK that cannot be
 * parsed is an input error.
 */
export function verifyRootLayer(root: RootLayerEvidence, vcekDer: Uint8Array | undefined, rv: RootLayerReferenceValues | undefined, at: bigint): RootOutcome {
  const bytes = root.remoteAttestationReport;
  const amd = rv?.amdSev;
  // AMD evidence with AMD values is verified in full even when `insecure {}` is also set.
  if (rv?.insecure !== undefined && !(root.platform === TeePlatform.AMD_SEV_SNP && amd !== undefined)) {
    if (bytes.byteLength !== REPORT_SIZE) throw new OakInputError("OAK_PROTOBUF", `root_layer.remote_attestation_report is ${bytes.byteLength} bytes, expected ${REPORT_SIZE}`, "Evidence");
    return {
      insecure: true,
      checks: [passed("ROOT_PLATFORM", `${TeePlatform[root.platform] ?? root.platform} accepted by root_layer.insecure (report signature and values not checked)`), ecaBinding(bytes.subarray(0x50, 0x90), root.ecaPublicKey)],
    };
  }
  if (root.platform !== TeePlatform.AMD_SEV_SNP) {
    const name = TeePlatform[root.platform] ?? String(root.platform);
    return { insecure: false, checks: [failed("ROOT_PLATFORM", `a ${name} root layer needs insecure {} reference values; these accept only AMD SEV-SNP`, "AMD_SEV_SNP", name)] };
  }
  if (amd === undefined) return { insecure: false, checks: [failed("ROOT_PLATFORM", "the reference values have no amd_sev root layer values", "amd_sev", "none")] };
  const report: AttestationReport = inInput("Evidence", "root_layer.remote_attestation_report", () => parseReport(bytes));
  if (vcekDer === undefined || vcekDer.byteLength === 0) {
    const checks = [passed("ROOT_PLATFORM", "AMD_SEV_SNP"), failed("TEE_CERTIFICATE", "the endorsements carry no VCEK: the report's signature cannot be verified"), ecaBinding(report.reportData, root.ecaPublicKey)];
    return { insecure: false, measurement: report.measurement, checks };
  }
  const vek = inInput("Endorsements", "root_layer.tee_certificate", () => parseCertificate(vcekDer));
  const policy = amdSnpPolicy(amd);
  const verdict = verifyReport({ report, vek }, { at, ...(policy ? { policy } : {}) });
  const checks: CheckResult[] = [passed("ROOT_PLATFORM", "AMD_SEV_SNP"), ...verdict.checks.map((c) => ({ ...c }))];
  if (policy === undefined) checks.push(failed("TCB_REFERENCE_VALUE", "no per-model TCB version reference value (milan, genoa, turin) nor min_tcb_version", "a TCB reference value", "none"));
  else {
    const fmc = impossibleFmc(amd, verdict.product);
    checks.push(fmc === undefined ? passed("TCB_REFERENCE_VALUE", `${verdict.product ?? "unknown"} minimum set`) : failed("TCB_REFERENCE_VALUE", `a minimum FMC ${fmc} for ${verdict.product}, whose TCB has no FMC (0)`, `fmc ≥ ${fmc}`, "fmc 0"));
  }
  checks.push(ecaBinding(report.reportData, root.ecaPublicKey));
  return { insecure: false, measurement: report.measurement, checks };
}
