import { verifyReport } from "../../verify/snp/verifier.js";
import { loadSnpPolicy } from "../../verify/load/snp.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode } from "../errors.js";
import { fileSubject } from "../input.js";
import { json, notVerified } from "../output.js";
import { REPORT_OPTIONS, reportEvidence } from "../report-options.js";
import { reportText } from "../verdict.js";

const NAME = "verify report";
const OPTIONS = {
  ...REPORT_OPTIONS,
  policy: { type: "string", value: "FILE", description: "policy (schemas/snp-policy.json); default: debug and migration agent not allowed" },
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
  const at = o.at === undefined ? BigInt(Date.now()) * 1_000_000n : timeOption("--at", o.at);
  const { evidence, product } = reportEvidence(o);
  const policy = o.policy === undefined ? undefined : loadSnpPolicy(o.policy, fileSubject("--policy", o.policy));
  const verdict = verifyReport(evidence, { at, ...(policy ? { policy } : {}), ...(product ? { product } : {}) });
  process.stdout.write(o.json ? json(verdict) : reportText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
