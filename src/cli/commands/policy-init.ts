import { parseDocument } from "../../schema/parse.js";
import { EvidencePolicy } from "../../schema/evidence-policy.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { policyForRelease } from "../../verify/evidence/policy-init.js";
import { OUTPUT_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { emit, json } from "../output.js";

const NAME = "policy init";
const OPTIONS = {
  "reference-values": { type: "string", value: "FILE", description: "the release's reference values (required)" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--reference-values FILE [--out FILE]",
    summary:
      "Writes the verification policy of a release for `reftrail verify evidence --format snp`, with strict defaults: exactly the release's components, each from an endorsement of this release with exactly these values, logged with an inclusion proof; exactly the SEV-SNP configurations the release publishes. Components the launch digest cannot bind are written as skip, with the reason.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["reference-values"]);
  const path = o["reference-values"]!;
  const subject = fileSubject("--reference-values", path);
  const values = parseDocument(ReferenceValues, readTextInput("--reference-values", path, 64 << 20), subject);
  let policy;
  try {
    policy = EvidencePolicy.parse(policyForRelease(values));
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message, subject);
    throw err;
  }
  // A policy is a JSON document: --json changes nothing.
  emit(json(policy), o.out);
  return ExitCode.OK;
}

export const command: Command = { run };
