import { findMeasurement } from "../../audit/find.js";
import type { EvidencePolicy } from "../../schema/evidence-policy.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { keptStatements } from "../../tlog/embedded/statements.js";
import { fromHex } from "../../util/bytes.js";
import type { FoundEndorsement } from "../../verify/evidence/endorsements.js";
import { endorsementsFromLog, statementStore, type UnavailableStatement } from "../../verify/evidence/from-log.js";
import { endorsementsInFolders, statementsInFolders } from "../../verify/load/evidence-endorsements.js";
import { logFromKeyFile } from "../../verify/load/trusted-logs.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import { AUDIT_SOURCE_OPTIONS, findingText, openAuditLog } from "../audit.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject } from "../input.js";
import { registryOption } from "../key-registry.js";
import { json, notVerified } from "../output.js";

const NAME = "audit find";
const OPTIONS = {
  measurement: { type: "string", value: "HEX", description: "the SEV-SNP MEASUREMENT (96 hex digits) or an SEV/SEV-ES launch digest (64) (required)" },
  ...AUDIT_SOURCE_OPTIONS,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

/** Every registry component as a policy that takes it from an endorsement: what the log search by key needs. */
function everyComponent(components: Iterable<string>): EvidencePolicy {
  const named = Object.fromEntries([...components].map((c) => [c, { kind: "artifact" as const, endorsement: { claims: [], log: { inclusionProof: true } } }]));
  return { version: 1, components: named, boot: [] };
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--measurement HEX (--log DIR | --rekor-url URL [--rekor-key FILE] --endorsements DIR | --endorsements DIR --rekor-key FILE) --key-registry FILE [--json]",
    summary:
      "Which endorsed release and configuration (firmware, vCPU count and type, VMM, guest features, kernel, initrd, command line) produces this measurement: SEV-SNP launch digests are recomputed from each release's verified endorsed values over every configuration reftrail knows, newest release first (the search `verify evidence` diagnoses a mismatch with); then values of different releases combined (bounded; what the bound leaves out is listed). SEV and SEV-ES digests are looked up in the firmware endorsements' published digests, then recomputed the same way from the firmware's SHA-256 state its reference values record. Endorsements are verified with the registry's keys first; refused ones are listed. Exit 0 with the answer, 1 when nothing endorsed produces it (saying what was searched), 2 on usage or input errors.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["measurement", "key-registry"]);
  const text = o.measurement!.trim().toLowerCase().replace(/^0x/, "");
  const measurement = /^(?:[0-9a-f]{96}|[0-9a-f]{64})$/.test(text) ? fromHex(text)! : undefined;
  if (measurement === undefined) throw new UsageError("expected 96 hex digits (SEV-SNP MEASUREMENT) or 64 (SEV, SEV-ES launch digest)", "--measurement");
  const registry = registryOption("--key-registry", o["key-registry"])!;
  const keys = { kind: "registry" as const, registry: registry.loaded, source: registry.source };
  let found: FoundEndorsement[];
  let unavailable: UnavailableStatement[] = [];
  let logs: TrustedLogKey[];
  if (o.log === undefined && o["rekor-url"] === undefined) {
    if (o.endorsements === undefined) throw new UsageError("give --log DIR, --rekor-url URL or --endorsements DIR");
    if (o["rekor-key"] === undefined) throw new UsageError("give --rekor-key FILE: the key of the log the endorsements were published to");
    logs = [logFromKeyFile(o["rekor-key"], fileSubject("--rekor-key", o["rekor-key"]))];
    found = endorsementsInFolders(o.endorsements, fileSubject("--endorsements", o.endorsements));
  } else {
    if (o["rekor-url"] !== undefined && o.endorsements === undefined) throw new UsageError("a Rekor log holds only the hashes of the statements: give --endorsements DIR with them");
    const statements = statementStore([
      ...(o.endorsements === undefined ? [] : statementsInFolders(o.endorsements, fileSubject("--endorsements", o.endorsements)).values()),
      ...(o.log === undefined ? [] : keptStatements(o.log)),
    ]);
    const target = await openAuditLog(o);
    try {
      logs = [target.log];
      const name = o.log !== undefined ? `log ${o.log}` : target.log.source;
      ({ found, unavailable } = await endorsementsFromLog(target.client, everyComponent(registry.loaded.keysByComponent.keys()), keys, statements, name));
    } finally {
      target.close();
    }
  }
  const finding = findMeasurement(measurement, found, { keys, logs }, { unavailable });
  process.stdout.write(o.json ? json(finding) : findingText(finding));
  if (!finding.verified) notVerified(finding.checks.filter((c) => c.status !== "passed").map((c) => `${c.check}: ${c.detail ?? ""}`).join("; "));
  return finding.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
