import type { Product } from "../verify/snp/abi/product.js";
import type { ReportEvidence } from "../verify/snp/verifier.js";
import type { Certificate } from "../verify/x509/certificate.js";
import type { OptionSpecs, ParsedOptions } from "./args.js";
import { UsageError } from "./errors.js";
import { loadCertificate, loadChain, loadCrl, loadReport, loadVekBundle } from "../verify/load/snp.js";
import { fileSubject } from "./input.js";
import { productOption } from "./product-option.js";

/** How a command is given an SEV-SNP report and the certificates that sign it (verify report, verify evidence). */
export const REPORT_OPTIONS = {
  report: { type: "string", value: "FILE", description: "the attestation report: 1184 raw bytes, or hex (required)" },
  cert: { type: "string", value: "FILE", description: "the VCEK or VLEK that signed it, DER or PEM (required); a PEM may go on with its ASK/ASVK and ARK, as Azure's vcek_chain.pem does" },
  ask: { type: "string", value: "FILE", description: "the ASK or ASVK (default: AMD's, pinned in reftrail)" },
  ark: { type: "string", value: "FILE", description: "the ARK; it must be AMD's pinned ARK (default: that one)" },
  chain: { type: "string", value: "FILE", description: "AMD KDS cert_chain PEM (ASK or ASVK, then ARK) instead of --ask and --ark" },
  "trust-root": { type: "string", value: "FILE", description: "trust this root instead of AMD's (a private or test PKI); the chain must end in it" },
  crl: { type: "string", value: "FILE", description: "an AMD CRL (DER or PEM), signed by the ARK" },
  product: { type: "string", value: "NAME", description: "Milan, Genoa or Turin: needed for a version 2 report only if its certificate does not say" },
} as const satisfies OptionSpecs;

/** The report and its certificates, from the options; `--report` and `--cert` must have been required. */
export function reportEvidence(o: ParsedOptions<typeof REPORT_OPTIONS>): { evidence: ReportEvidence; product: Product | undefined } {
  if (o.chain !== undefined && (o.ask !== undefined || o.ark !== undefined)) throw new UsageError("give --chain, or --ask and --ark, not both");
  if (o["trust-root"] !== undefined && o.ark !== undefined) throw new UsageError("give --ark (an AMD root) or --trust-root (another root), not both");
  const product = productOption(o.product);
  const { report, hcl } = loadReport(o.report!, fileSubject("--report", o.report!));
  const bundle = loadVekBundle(o.cert!, fileSubject("--cert", o.cert!));
  const vek = bundle.vek;
  if (bundle.ask && (o.ask !== undefined || o.ark !== undefined || o.chain !== undefined)) {
    throw new UsageError(`${o.cert} already holds the chain after the VCEK/VLEK; give it alone, or the VCEK/VLEK alone with --ask/--ark/--chain`, "--cert");
  }
  let ask: Certificate | undefined = o.ask === undefined ? bundle.ask : loadCertificate(o.ask, fileSubject("--ask", o.ask));
  let ark: Certificate | undefined = o.ark === undefined ? bundle.ark : loadCertificate(o.ark, fileSubject("--ark", o.ark));
  if (o.chain !== undefined) ({ ask, ark } = loadChain(o.chain, fileSubject("--chain", o.chain)));
  const trustedRoots = o["trust-root"] === undefined ? undefined : [loadCertificate(o["trust-root"], fileSubject("--trust-root", o["trust-root"]))];
  if (trustedRoots && ark === undefined) ark = trustedRoots[0];
  const crl = o.crl === undefined ? undefined : loadCrl(o.crl, fileSubject("--crl", o.crl));
  return {
    evidence: { report, ...(hcl ? { hcl } : {}), vek, ...(ask ? { ask } : {}), ...(ark ? { ark } : {}), ...(crl ? { crl } : {}), ...(trustedRoots ? { trustedRoots } : {}) },
    product,
  };
}
