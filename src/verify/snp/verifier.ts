import type { SnpPolicy } from "../../schema/snp-policy.js";
import { verdictOf, type Verdict } from "../../schema/verdict.js";
import type { Certificate } from "../x509/certificate.js";
import type { Crl } from "../x509/crl.js";
import type { Product } from "./abi/product.js";
import type { AttestationReport } from "./abi/report.js";
import type { HclReport } from "./abi/hcl.js";
import { bindingChecks, hclRuntimeDataCheck, reportProduct } from "./binding.js";
import { verifyChain, type VerifiedChain } from "./chain.js";
import type { SnpCheckResult } from "./checks.js";
import { DEFAULT_POLICY, policyChecks } from "./policy.js";

/** The verdict on a report: every check runs, and it is verified only if none failed or could not run (verdictOf). */
export interface ReportVerdict extends Verdict {
  readonly product: Product | undefined;
  readonly signer: string | undefined;
  readonly checks: SnpCheckResult[];
}

export interface ReportOptions {
  /** Verification time, ns since the epoch (certificate and CRL validity). */
  readonly at: bigint;
  readonly policy?: SnpPolicy;
  /** The product when the caller knows it; required agreement with CPUID and certificate. */
  readonly product?: Product;
}

/**
 * Verifies a parsed report against an already verified certificate chain (verify the chain once,
 * then many reports signed by the same key). Every check runs; the verdict lists each with what
 * was expected and found, and is verified only if none failed or could not run.
 */
export function verifyReportWithChain(report: AttestationReport, chain: VerifiedChain, options: ReportOptions, hcl?: HclRuntimeData): ReportVerdict {
  const product = reportProduct(report, chain).product ?? options.product ?? chain.product;
  const checks: SnpCheckResult[] = [
    ...chain.checks,
    ...bindingChecks(report, chain, options.product),
    ...(hcl ? [hclRuntimeDataCheck(report, hcl)] : []),
    ...policyChecks(report, product, options.policy ?? DEFAULT_POLICY),
  ];
  const { verified, failures } = verdictOf(checks);
  return { verified, failures, product, signer: chain.vekKind, checks };
}

/** What an Azure HCL report adds to its SNP report: runtime data REPORT_DATA must commit to. */
export type HclRuntimeData = Pick<HclReport, "hash" | "variableData">;

export interface ReportEvidence {
  readonly report: AttestationReport;
  /** When the report came inside an Azure HCL report. */
  readonly hcl?: HclRuntimeData;
  readonly vek: Certificate;
  readonly ask?: Certificate;
  readonly ark?: Certificate;
  readonly crl?: Crl;
  readonly trustedRoots?: readonly Certificate[];
}

/** Verifies a report with its VCEK/VLEK (and optional ASK/ARK/CRL) in one call. */
export function verifyReport(evidence: ReportEvidence, options: ReportOptions): ReportVerdict {
  const chain = verifyChain({
    vek: evidence.vek,
    at: options.at,
    ...(evidence.ask ? { ask: evidence.ask } : {}),
    ...(evidence.ark ? { ark: evidence.ark } : {}),
    ...(evidence.crl ? { crl: evidence.crl } : {}),
    ...(evidence.trustedRoots ? { trustedRoots: evidence.trustedRoots } : {}),
    ...(options.product ? { product: options.product } : {}),
  });
  return verifyReportWithChain(evidence.report, chain, options, evidence.hcl);
}
