import { COMMON_OPTIONS, commandOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { json, notVerified, warn } from "../output.js";
import { endorsementText } from "../verdict.js";
import { TRUST_OPTIONS, keySource, loggedFromOptions, policyFrom, trustedLogs } from "../verify-options.js";
import { loggedFromFolder } from "../../verify/load/logged.js";
import { verifyPublished } from "../../verify/endorsement/published.js";
import { verifyEndorsement } from "../../verify/endorsement/verifier.js";

const NAME = "verify endorsement";
const OPTIONS = {
  endorsement: { type: "string", value: "FILE", description: "the statement, exactly as signed (endorsement.json)" },
  signature: { type: "string", value: "FILE", description: "its DER signature (endorsement.json.sig), with --log-entry" },
  "log-entry": { type: "string", value: "FILE", description: "Rekor's entry (logentry.json: {entry id: LogEntry}, or cosign's SET-only form)" },
  bundle: { type: "string", value: "FILE", description: "a Sigstore bundle (endorsement.sigstore.json) instead of --signature and --log-entry" },
  dir: { type: "string", value: "DIR", description: "a component folder as `reftrail publish release` leaves it, instead of the three files" },
  ...TRUST_OPTIONS,
  "subject-digest": { type: "string", value: "[ALG:]HEX", description: "the digest the endorsement's subject must have" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `(--endorsement FILE (--signature FILE --log-entry FILE | --bundle FILE) | --dir DIR) (--key FILE | --key-registry FILE [--component NAME]) (--rekor-key FILE [--rekor-name HOST] | --trusted-root FILE) [--subject-digest HEX] [--claims URI,…] [--at TIME] [--allow-set-only] [--json]`,
    summary: "Verifies an endorsement offline: the statement's signature, type, validity, claims and subject, and its transparency-log entry (SET, body, inclusion proof, checkpoint, log time). Exit 0 verified, 1 not verified (the failing check is named), 2 usage or input error.",
  });
  if (o === undefined) return ExitCode.OK;
  if (o.dir !== undefined && (o.endorsement ?? o.signature ?? o["log-entry"] ?? o.bundle) !== undefined) throw new UsageError("give --dir, or the files, not both");
  if (o.dir === undefined && o.endorsement === undefined) throw new UsageError("the following argument is required: --endorsement (or --dir)");
  const keys = keySource(o);
  const logs = trustedLogs(o);
  const policy = policyFrom(o, keys, logs);
  const verdict =
    o.dir !== undefined
      ? verifyPublished(loggedFromFolder(o.dir), policy)
      : verifyEndorsement(loggedFromOptions({ endorsement: o.endorsement!, signature: o.signature, logEntry: o["log-entry"], bundle: o.bundle }), policy);
  process.stdout.write(o.json ? json(verdict) : endorsementText(verdict, o.dir ?? o.endorsement!));
  if (!verdict.verified) notVerified(`${verdict.failure!.check}: ${verdict.failure!.message}`);
  else if (keys.kind === "registry" && o.component === undefined && o["subject-digest"] === undefined) {
    warn(`verified as an endorsement of '${verdict.endorsement?.component}': pass --component (or --subject-digest) to require the one you expect`);
  }
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
