import { verifyEndorsement } from "../../verify/endorsement/verifier.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode } from "../errors.js";
import { json, notVerified, warn } from "../output.js";
import { endorsementText } from "../verdict.js";
import { TRUST_OPTIONS, keySource, loggedFromOptions, policyFrom, trustedLogs } from "../verify-options.js";

const NAME = "verify bundle";
const OPTIONS = {
  artifact: { type: "string", value: "FILE", description: "the signed file (required)" },
  bundle: { type: "string", value: "FILE", description: "its Sigstore bundle v0.3 (message signature, Rekor v1 entry) (required)" },
  key: TRUST_OPTIONS.key,
  "rekor-key": TRUST_OPTIONS["rekor-key"],
  "rekor-name": TRUST_OPTIONS["rekor-name"],
  "trusted-root": TRUST_OPTIONS["trusted-root"],
  at: TRUST_OPTIONS.at,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--artifact FILE --bundle FILE --key FILE (--rekor-key FILE [--rekor-name HOST] | --trusted-root FILE) [--at TIME] [--json]`,
    summary: "Verifies a Sigstore bundle made with a caller-held key over any file (what `cosign sign-blob --key --bundle` writes), with the same log checks as `verify endorsement`: signature, SET, body, inclusion proof, checkpoint.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["artifact", "bundle", "key"]);
  const policy = { ...policyFrom(o, keySource(o), trustedLogs(o)), signed: "artifact" as const };
  const logged = loggedFromOptions({ endorsement: o.artifact!, bundle: o.bundle! }, { endorsement: "--artifact", signature: "", logEntry: "", bundle: "--bundle" });
  const verdict = verifyEndorsement(logged, policy);
  process.stdout.write(o.json ? json(verdict) : endorsementText(verdict, o.artifact!));
  if (!verdict.verified) notVerified(`${verdict.failure!.check}: ${verdict.failure!.message}`);
  else if (looksLikeStatement(logged.statement)) warn("the artifact is an in-toto statement: `reftrail verify endorsement` also checks its type, validity, claims and subject");
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

function looksLikeStatement(bytes: Uint8Array): boolean {
  try {
    return typeof (JSON.parse(Buffer.from(bytes).toString("utf8")) as { _type?: unknown })._type === "string";
  } catch {
    return false;
  }
}

export const command: Command = { run };
