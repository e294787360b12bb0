import { COMMON_OPTIONS, commandOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { SNP_EVIDENCE_OPTIONS, runSnpEvidence } from "../evidence-snp.js";

const NAME = "verify evidence";
const OPTIONS = {
  format: { type: "string", value: "FORMAT", description: "snp (an SEV-SNP report with reftrail endorsements)" },
  ...SNP_EVIDENCE_OPTIONS,
  policy: { type: "string", value: "FILE", description: "snp: the verification policy (schemas/evidence-policy.json; `reftrail policy init` writes one)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage:
      "--format snp --report FILE --cert FILE [--ask FILE] [--ark FILE | --chain FILE | --trust-root FILE] --endorsements DIR [--log DIR | --rekor-url URL] --key-registry FILE (--rekor-key FILE | --trusted-root FILE) --policy FILE [--at TIME] [--json]",
    summary:
      "Verifies attestation evidence against logged endorsements: the report as `verify report` does, every endorsement before any value in it is used, then MEASUREMENT against launch digests recomputed from the endorsed values for every configuration the policy allows, and how the measurement binds each component. A mismatch says which endorsed release and configuration produces it. Exit 0 verified, 1 not verified, 2 usage or input error.",
  });
  if (o === undefined) return ExitCode.OK;
  if (o.format === undefined) throw new UsageError("the following argument is required: --format (snp)");
  if (o.format === "snp") return runSnpEvidence(o);
  throw new UsageError(`invalid choice '${o.format}' (choose from snp)`, "--format");
}

export const command: Command = { run };
