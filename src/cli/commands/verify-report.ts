import type { Certificate } from "../../verify/x509/certificate.js";
import { verifyReport } from "../../verify/snp/verifier.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { json, notVerified } from "../output.js";
import { reportText } from "../verdict.js";
import { loadCertificate, loadChain, loadCrl, loadReport, loadSnpPolicy, loadVekBundle } from "../../verify/load/snp.js";
import { fileSubject } from "../input.js";
import { productOption } from "../product-option.js";

const NAME = "verify report";
const OPTIONS = {
  report: { type: "string", value: "FILE", description: "the attestation report: 1184 raw bytes, or hex (required)" },
  cert: { type: "string", value: "FILE", description: "the VCEK or VLEK that signed it, DER or PEM (required); a PEM may go on with its ASK/ASVK and ARK, as Azure's vcek_chain.pem does" },
  ask: { type: "string", value: "FILE", description: "the ASK or ASVK (default: AMD's, pinned in reftrail)" },
  ark: { type: "string", value: "FILE", description: "the ARK; it must be AMD's pinned ARK (default: that one)" },
  chain: { type: "string", value: "FILE", description: "AMD KDS cert_chain PEM (ASK or ASVK, then ARK) instead of --ask and --ark" },
  "trust-root": { type: "string", value: "FILE", description: "trust this root instead of AMD's (a private or test PKI); the chain must end in it" },
  crl: { type: "string", value: "FILE", description: "an AMD CRL (DER or PEM), signed by the ARK" },
  policy: { type: "string", value: "FILE", description: "policy (schemas/snp-policy.json); default: debug and migration agent not allowed" },
  product: { type: "string", value: "NAME", description: "Milan, Genoa or Turin: needed for a version 2 report only if its certificate does not say" },
  at: { type: "string", value: "TIME", description: "verification time for certificate and CRL validity, RFC 3339 (default: now)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--report FILE --cert VCEK_OR_VLEK [--ask FILE] [--ark FILE | --chain FILE | --trust-root FILE] [--crl FILE] [--policy FILE] [--product NAME] [--at TIME] [--json]",
    summary:
      "Verifies an AMD SEV-SNP attestation report offline: the VCEK/VLEK chain to AMD's pinned roots, the report signature, the certificate's binding to the report (signing key type, product, chip, TCB), and a policy. One line per check with what was expected and found. Exit 0 verified, 1 a check failed, 2 usage or input error.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["report", "cert"]);
  if (o.chain !== undefined && (o.ask !== undefined || o.ark !== undefined)) throw new UsageError("give --chain, or --ask and --ark, not both");
  if (o["trust-root"] !== undefined && o.ark !== undefined) throw new UsageError("give --ark (an AMD root) or --trust-root (another root), not both");
  const at = o.at === undefined ? BigInt(Date.now()) * 1_000_000n : timeOption("--at", o.at);
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
  const policy = o.policy === undefined ? undefined : loadSnpPolicy(o.policy, fileSubject("--policy", o.policy));
  const verdict = verifyReport(
    { report, ...(hcl ? { hcl } : {}), vek, ...(ask ? { ask } : {}), ...(ark ? { ark } : {}), ...(crl ? { crl } : {}), ...(trustedRoots ? { trustedRoots } : {}) },
    { at, ...(policy ? { policy } : {}), ...(product ? { product } : {}) },
  );
  process.stdout.write(o.json ? json(verdict) : reportText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
