import { createHash, verify } from "node:crypto";
import { toHex } from "../../util/bytes.js";
import type { HclReport } from "./abi/hcl.js";
import type { AttestationReport } from "./abi/report.js";
import { SIGNED_SIZE } from "./abi/report.js";
import { productFromCpuid, type Product } from "./abi/product.js";
import { decodeTcb, formatTcb, tcbComponents, tcbReservedBits, type TcbComponent } from "./abi/tcb.js";
import type { VerifiedChain } from "./chain.js";
import { failed, notRun, passed, skipped, type SnpCheckResult } from "./checks.js";

/** The report's product: from CPUID (v3+) when present, else the certificate's (v2). */
export function reportProduct(report: AttestationReport, chain: VerifiedChain): { product: Product | undefined; problem?: string } {
  if (report.cpuid === undefined) return { product: chain.product };
  try {
    return { product: productFromCpuid(report.cpuid) };
  } catch (err) {
    return { product: undefined, problem: (err as Error).message };
  }
}

/**
 * The checks that bind a report to its certificate: the signature, the signing key type, the
 * product, the chip and the TCB the key was derived for.
 */
export function bindingChecks(report: AttestationReport, chain: VerifiedChain, callerProduct: Product | undefined): SnpCheckResult[] {
  const checks: SnpCheckResult[] = [];
  const { vek, vekKind, extensions } = chain;

  // REPORT_SIGNATURE
  if (report.signerInfo.signingKey === "none") checks.push(failed("REPORT_SIGNATURE", "a report signed by a VCEK or VLEK", "SIGNING_KEY 7: the report is unsigned"));
  else {
    const signature = Buffer.concat([report.signature.r, report.signature.s]);
    let ok = false;
    try {
      ok = verify("sha384", report.bytes.subarray(0, SIGNED_SIZE), { key: vek.publicKey, dsaEncoding: "ieee-p1363" }, signature);
    } catch {
      ok = false;
    }
    checks.push(ok ? passed("REPORT_SIGNATURE", `verifies with ${vek.subject.commonName ?? "the certificate"}'s key`) : failed("REPORT_SIGNATURE", "a valid ECDSA P-384 signature by the certificate's key", "does not verify"));
  }

  // SIGNER_TYPE
  {
    const problems: string[] = [];
    if (vekKind !== undefined && report.signerInfo.signingKey !== "none" && report.signerInfo.signingKey !== vekKind) problems.push(`the report says ${report.signerInfo.signingKey}, the certificate is a ${vekKind}`);
    if (vekKind === "VCEK" && extensions?.cspId !== undefined) problems.push("a VCEK with a cspId extension");
    if (vekKind === "VCEK" && extensions !== undefined && extensions.hwId === undefined) problems.push("a VCEK without hwID");
    if (vekKind === "VLEK" && extensions?.cspId === undefined) problems.push("a VLEK without cspId");
    if (vekKind === "VLEK" && extensions?.hwId !== undefined) problems.push("a VLEK with hwID");
    // SEV-SNP ABI §7.3: with MaskChipKey set the firmware writes zeros instead of a VCEK signature.
    if (report.signerInfo.maskChipKey && report.signerInfo.signingKey === "VCEK") problems.push("MASK_CHIP_KEY is set, so no VCEK can have signed the report");
    if (vekKind === undefined) checks.push(notRun("SIGNER_TYPE", "the certificate's kind is unknown"));
    else checks.push(problems.length ? failed("SIGNER_TYPE", `${report.signerInfo.signingKey} report, matching certificate`, problems.join("; ")) : passed("SIGNER_TYPE", vekKind));
  }

  // PRODUCT
  const fromReport = reportProduct(report, chain);
  const product = fromReport.product ?? callerProduct;
  {
    const seen = [
      ...(report.cpuid ? [`CPUID ${fromReport.product ?? `unknown (${fromReport.problem})`}`] : []),
      ...(chain.extensions?.productName ? [`certificate ${chain.extensions.productName}`] : []),
      ...(callerProduct ? [`--product ${callerProduct}`] : []),
    ];
    const named = [fromReport.product, chain.product, callerProduct].filter((p): p is Product => p !== undefined);
    const agree = named.length > 0 && named.every((p) => p === named[0]) && fromReport.problem === undefined;
    checks.push(agree ? passed("PRODUCT", `${named[0]} (${seen.join(", ")})`) : failed("PRODUCT", "one product named by CPUID (v3+), certificate and --product", seen.join(", ") || "no product anywhere"));
  }

  // CHIP_ID
  if (vekKind === "VLEK") checks.push(skipped("CHIP_ID", "a VLEK is not specific to one chip"));
  else if (extensions?.hwId === undefined) checks.push(notRun("CHIP_ID", "the certificate has no hwID"));
  else {
    const hw = extensions.hwId;
    const chip = report.chipId;
    if (chip.every((b) => b === 0)) checks.push(skipped("CHIP_ID", "CHIP_ID is zero (the host masks it)"));
    else {
      const ok = hw.byteLength === 64 ? toHex(hw) === toHex(chip) : toHex(hw) === toHex(chip.subarray(0, 8)) && chip.subarray(8).every((b) => b === 0);
      checks.push(ok ? passed("CHIP_ID", toHex(hw)) : failed("CHIP_ID", toHex(chip), toHex(hw), "the VCEK belongs to another chip"));
    }
  }

  // TCB_RESERVED: the firmware writes zeros where the product's layout has no component; anything
  // else means the layout assumed is not the one the firmware used.
  if (product === undefined) checks.push(notRun("TCB_RESERVED", "the product (and so the TCB layout) is unknown"));
  else {
    const fields = { REPORTED_TCB: report.reportedTcb, CURRENT_TCB: report.currentTcb, COMMITTED_TCB: report.committedTcb, LAUNCH_TCB: report.launchTcb };
    const set = Object.entries(fields).filter(([, raw]) => tcbReservedBits(raw, product) !== 0n);
    checks.push(
      set.length
        ? failed("TCB_RESERVED", `zero reserved bytes in ${product}'s TCB layout`, set.map(([name, raw]) => `${name} 0x${raw.toString(16).padStart(16, "0")}`).join("; "))
        : passed("TCB_RESERVED", `${product} layout`),
    );
  }

  // TCB_BINDING and TCB_CURRENT
  if (product === undefined || extensions === undefined) {
    checks.push(notRun("TCB_BINDING", "product or certificate extensions unknown"));
    checks.push(notRun("TCB_CURRENT", "product or certificate extensions unknown"));
  } else {
    const reported = decodeTcb(report.reportedTcb, product);
    const components = tcbComponents(product);
    const certTcb = extensions.tcb;
    const certText = components.map((c) => `${c} ${certTcb[c] ?? "absent"}`).join(", ");
    const mismatch = components.filter((c) => certTcb[c] !== reported[c]);
    const structExpected = product === "Turin" ? 1 : 0;
    const structOk = extensions.structVersion === structExpected;
    // An SPL for a component the product's TCB has no byte for (fmc before Turin), or a non-zero
    // reserved SPL, would be a key derived for a TCB the report cannot express.
    const foreign = (Object.keys(certTcb) as TcbComponent[]).filter((c) => !components.includes(c));
    const reservedSpls = extensions.nonZeroReservedSpls;
    if (mismatch.length || !structOk || foreign.length || reservedSpls.length) {
      const why = [
        ...(mismatch.length ? [`differs in ${mismatch.join(", ")}`] : []),
        ...(!structOk ? [`structVersion ${extensions.structVersion ?? "absent"} is not ${product}'s ${structExpected}`] : []),
        ...(foreign.length ? [`${foreign.map((c) => `${c}SPL`).join(", ")} on a ${product} certificate`] : []),
        ...(reservedSpls.length ? [`reserved SPL ${reservedSpls.join(", ")} is not 0`] : []),
      ];
      checks.push(failed("TCB_BINDING", formatTcb(reported), certText, why.join("; ")));
    } else checks.push(passed("TCB_BINDING", certText));
    const current = decodeTcb(report.currentTcb, product);
    const above = components.filter((c) => (certTcb[c] ?? 0) > (current[c] ?? 0));
    checks.push(above.length ? failed("TCB_CURRENT", `at most ${formatTcb(current)}`, certText, `above CURRENT_TCB in ${above.join(", ")}`) : passed("TCB_CURRENT", formatTcb(current)));
  }
  return checks;
}

/**
 * REPORT_DATA must be the hash of the HCL runtime data, then zeros (az-snp-vtpm checks the first 32
 * bytes; the rest is zero in every real report), in a VMPL 0 report: only the paravisor runs at
 * VMPL 0, and code at a lower privilege in the same VM could otherwise put its own "runtime data"
 * (an attestation key of its choosing) in a report with the VM's measurement (Trustee requires 0 too).
 */
export function hclRuntimeDataCheck(report: AttestationReport, hcl: Pick<HclReport, "hash" | "variableData">): SnpCheckResult {
  const digest = createHash(hcl.hash).update(hcl.variableData).digest();
  const expected = `VMPL 0, REPORT_DATA ${toHex(digest)} (${hcl.hash} of ${hcl.variableData.byteLength} bytes of runtime data), then zeros`;
  const data = report.reportData;
  const bound = toHex(data.subarray(0, digest.byteLength)) === toHex(digest) && data.subarray(digest.byteLength).every((b) => b === 0);
  if (report.vmpl !== 0) return failed("HCL_RUNTIME_DATA", expected, `VMPL ${report.vmpl}`, "the runtime data is the paravisor's only in a VMPL 0 report");
  return bound ? passed("HCL_RUNTIME_DATA", toHex(digest), expected) : failed("HCL_RUNTIME_DATA", expected, toHex(data), "REPORT_DATA does not commit to this HCL report's runtime data");
}
