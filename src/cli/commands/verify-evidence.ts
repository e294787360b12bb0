import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { oakVerdictText, verifyOakFiles } from "../evidence-oak.js";
import { json, notVerified } from "../output.js";

const NAME = "verify evidence";
const OPTIONS = {
  format: { type: "string", value: "FORMAT", description: "the evidence format: oak (Oak's binary Evidence, Endorsements and ReferenceValues protobuf messages)" },
  evidence: { type: "string", value: "FILE", description: "oak: the binary oak.attestation.v1.Evidence message" },
  endorsements: { type: "string", value: "FILE", description: "oak: the binary oak.attestation.v1.Endorsements message" },
  policy: { type: "string", value: "FILE", description: "oak: the binary oak.attestation.v1.ReferenceValues message" },
  at: { type: "string", value: "TIME", description: "verification time, RFC 3339 (default: now)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--format oak --evidence FILE --endorsements FILE --policy FILE [--at TIME] [--json]",
    summary:
      "Verifies attestation evidence against endorsed reference values, component by component: the root of trust (SEV-SNP report and VCEK chain), the DICE chain and event log, and each component's value against its reference value or verified endorsement. Exit 0 verified, 1 not verified, 2 usage or input error.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["format"]);
  if (o.format !== "oak") throw new UsageError(`unknown --format '${o.format}' (formats: oak)`, "--format");
  requireOptions(o, ["evidence", "endorsements", "policy"]);
  const at = o.at === undefined ? BigInt(Date.now()) * 1_000_000n : timeOption("--at", o.at);
  const verdict = verifyOakFiles({ evidence: o.evidence!, endorsements: o.endorsements!, policy: o.policy! }, at);
  process.stdout.write(o.json ? json(verdict) : oakVerdictText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
