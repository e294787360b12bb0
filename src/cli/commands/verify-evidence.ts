import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { verifyOakFiles } from "../evidence-oak.js";
import { SNP_EVIDENCE_OPTIONS, runSnpEvidence } from "../evidence-snp.js";
import { json, notVerified } from "../output.js";
import { oakEvidenceText } from "../verdict.js";

const NAME = "verify evidence";
const OPTIONS = {
  format: { type: "string", value: "FORMAT", description: "snp (an SEV-SNP report, reftrail endorsements) or oak (Oak's binary Evidence, Endorsements, ReferenceValues)" },
  ...SNP_EVIDENCE_OPTIONS,
  endorsements: { type: "string", value: "DIR|FILE", description: "snp: published component folders (or a folder of release folders); oak: the binary oak.attestation.v1.Endorsements message" },
  evidence: { type: "string", value: "FILE", description: "oak: the binary oak.attestation.v1.Evidence message" },
  policy: { type: "string", value: "FILE", description: "snp: the verification policy (schemas/evidence-policy.json; `reftrail policy init` writes one); oak: the binary oak.attestation.v1.ReferenceValues message" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

/** Options only one format reads: given with the other, they would be silently ignored, so they are refused. */
const SNP_ONLY = Object.keys(SNP_EVIDENCE_OPTIONS).filter((k) => k !== "endorsements" && k !== "at");
const OAK_ONLY = ["evidence"];

function refuseOthers(o: Readonly<Record<string, unknown>>, names: readonly string[], format: string): void {
  const given = names.find((n) => o[n] !== undefined);
  if (given !== undefined) throw new UsageError(`does not go with --format ${format}`, `--${given}`);
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage:
      "--format snp --report FILE --cert FILE [--ask FILE] [--ark FILE | --chain FILE | --trust-root FILE] (--endorsements DIR [--log DIR | --rekor-url URL] | --log DIR) --key-registry FILE (--rekor-key FILE | --trusted-root FILE) --policy FILE [--at TIME] [--json]\n       reftrail verify evidence --format oak --evidence FILE --endorsements FILE --policy FILE [--at TIME] [--json]",
    summary:
      "Verifies attestation evidence against endorsements, component by component. snp: the report as `verify report` does, every endorsement before any value in it is used, then MEASUREMENT against launch digests recomputed from the endorsed values for every configuration the policy allows, and how the measurement binds each component; a mismatch says which endorsed release and configuration produces it. oak: the root of trust (SEV-SNP report and VCEK chain), the DICE chain and event log, and each component against its reference value or verified endorsement. Exit 0 verified, 1 not verified, 2 usage or input error.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["format"]);
  if (o.format === "snp") {
    refuseOthers(o, OAK_ONLY, "snp");
    return runSnpEvidence(o);
  }
  if (o.format !== "oak") throw new UsageError(`invalid choice '${o.format}' (choose from snp, oak)`, "--format");
  refuseOthers(o, SNP_ONLY, "oak");
  requireOptions(o, ["evidence", "endorsements", "policy"]);
  const at = o.at === undefined ? BigInt(Date.now()) * 1_000_000n : timeOption("--at", o.at);
  const verdict = verifyOakFiles({ evidence: o.evidence!, endorsements: o.endorsements!, policy: o.policy! }, at);
  process.stdout.write(o.json ? json(verdict) : oakEvidenceText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
