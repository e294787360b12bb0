import type { AmdSevReferenceValues, TcbVersionReferenceValue } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import type { TcbVersion } from "../../schema/oak/gen/proto/attestation/tcb_version_pb.js";
import { SnpPolicy } from "../../schema/snp-policy.js";
import type { Product } from "../snp/abi/product.js";

type Minimum = { bl: number; tee: number; snp: number; ucode: number; fmc?: number };

function minimum(tcb: TcbVersion, product: Product): Minimum {
  // Milan and Genoa have no FMC in their TCB layout; Oak compares it anyway (against 0).
  return { bl: tcb.bootLoader, tee: tcb.tee, snp: tcb.snp, ucode: tcb.microcode, ...(product === "Turin" ? { fmc: tcb.fmc } : {}) };
}

function perModel(rv: TcbVersionReferenceValue | undefined, product: Product): Minimum | Record<string, never> | undefined {
  if (rv === undefined || rv.type.case === undefined) return undefined;
  return rv.type.case === "skip" ? {} : minimum(rv.type.value, product);
}

/** A minimum FMC on Milan or Genoa, which report none (0): Oak fails it; reftrail's TCB layout has no FMC to compare. */
export function impossibleFmc(amd: AmdSevReferenceValues, product: Product | undefined): number | undefined {
  if (product === undefined || product === "Turin") return undefined;
  const rv = amd.minTcbVersion ?? (product === "Milan" ? amd.milan : amd.genoa)?.type;
  const tcb = rv === undefined ? undefined : "bootLoader" in rv ? rv : rv.case === "minimum" ? rv.value : undefined;
  return tcb !== undefined && tcb.fmc > 0 ? tcb.fmc : undefined;
}

/**
 * Oak's AMD SEV-SNP report values as a reftrail SNP policy, so that `verify report` evaluates them
 * with its own checks: VMPL 0, debug only if `allow_debug`, the reported TCB minimum per product
 * (the deprecated `min_tcb_version` for every product, else `milan`/`genoa`/`turin`; a product
 * without one fails), the alias check (report v3+ with PLATFORM_INFO ALIAS_CHECK_COMPLETE) and the
 * mitigation vectors (every required bit set). Returns undefined when no TCB reference value is
 * given for any product (Oak: "no per-model TCB version reference value").
 */
export function amdSnpPolicy(amd: AmdSevReferenceValues): SnpPolicy | undefined {
  const products: Product[] = ["Milan", "Genoa", "Turin"];
  const reported: Partial<Record<Product, Minimum | Record<string, never>>> = {};
  for (const product of products) {
    const m = amd.minTcbVersion ? minimum(amd.minTcbVersion, product) : perModel(product === "Milan" ? amd.milan : product === "Genoa" ? amd.genoa : amd.turin, product);
    if (m !== undefined) reported[product] = m;
  }
  if (Object.keys(reported).length === 0) return undefined;
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  return SnpPolicy.parse({
    version: 1,
    vmpls: [0],
    guestPolicy: { debug: amd.allowDebug },
    minimumTcb: { reported },
    ...(amd.requireAliasCheckComplete ? { minimumReportVersion: 3, platformInfo: { required: ["ALIAS_CHECK_COMPLETE"] } } : {}),
    ...(amd.launchMitVector || amd.currentMitVector ? { minimumMitigationVector: { ...(amd.launchMitVector ? { launch: hex(amd.launchMitVector) } : {}), ...(amd.currentMitVector ? { current: hex(amd.currentMitVector) } : {}) } } : {}),
  });
}
