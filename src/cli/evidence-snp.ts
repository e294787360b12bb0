import { RekorClient, displayUrl, httpTransport } from "../tlog/client.js";
import { inProcessTransport } from "../tlog/embedded/in-process.js";
import { keptStatements } from "../tlog/embedded/statements.js";
import { endorsementsFromLog, statementStore } from "../verify/evidence/from-log.js";
import { endorsementsInFolders, loadEvidencePolicy, statementsInFolders } from "../verify/load/evidence-endorsements.js";
import { verifySnpEvidence, type SnpEvidenceInputs } from "../verify/evidence/snp.js";
import { requireOptions, type OptionSpecs, type ParsedOptions } from "./args.js";
import { ExitCode, UsageError } from "./errors.js";
import { fileSubject } from "./input.js";
import { openLogDir } from "./log-dir.js";
import { json, notVerified } from "./output.js";
import { evidenceText } from "./verdict.js";
import { REPORT_OPTIONS, reportEvidence } from "./report-options.js";
import { TRUST_OPTIONS, keySource, trustedLogs, verificationTime } from "./verify-options.js";

const { key: _key, component: _component, claims: _claims, "allow-set-only": _setOnly, ...TRUST } = TRUST_OPTIONS;

/** `verify evidence --format snp`: the report options, the endorsement source, the trust anchors, the policy. */
export const SNP_EVIDENCE_OPTIONS = {
  ...REPORT_OPTIONS,
  endorsements: { type: "string", value: "DIR", description: "snp: published component folders (as `reftrail publish release` leaves them), or a folder of such release folders" },
  log: { type: "string", value: "DIR", description: "snp: find the endorsements in this embedded log by component key (statements: the ones it kept, and --endorsements)" },
  "rekor-url": { type: "string", value: "URL", description: "snp: find the log entries in this Rekor v1 server (or `reftrail log serve`) by component key (statements from --endorsements)" },
  ...TRUST,
} as const satisfies OptionSpecs;

type Options = ParsedOptions<typeof SNP_EVIDENCE_OPTIONS> & { policy?: string; json?: boolean };

/** The log named by --log or --rekor-url, with the name the report uses for it. */
function logClient(o: Options): { client: RekorClient; name: string; close(): void } {
  if (o.log !== undefined && o["rekor-url"] !== undefined) throw new UsageError("give --log or --rekor-url, not both");
  if (o.log !== undefined) {
    const log = openLogDir(o.log);
    return { client: new RekorClient(inProcessTransport(log)), name: `log ${o.log}`, close: () => log.close() };
  }
  const url = o["rekor-url"]!;
  try {
    if (!["http:", "https:"].includes(new URL(url).protocol)) throw new Error();
  } catch {
    throw new UsageError(`'${displayUrl(url)}' is not an http(s) URL`, "--rekor-url");
  }
  return { client: new RekorClient(httpTransport(url, { timeoutMs: 30_000, retries: 2 })), name: displayUrl(url).replace(/\/+$/, ""), close() {} };
}

export async function runSnpEvidence(o: Options): Promise<number> {
  requireOptions(o, ["report", "cert", "key-registry", "policy"]);
  if (o.endorsements === undefined && o.log === undefined) {
    throw new UsageError(
      o["rekor-url"] !== undefined
        ? "a Rekor log holds only the hashes of the statements: give --endorsements DIR with them"
        : "give --endorsements DIR, or --log DIR (an embedded log keeps the statements it logged)",
    );
  }
  const policyPath = o.policy!;
  const policy = loadEvidencePolicy(policyPath, fileSubject("--policy", policyPath));
  const keys = keySource(o);
  const logs = trustedLogs(o);
  const at = verificationTime(o);
  const { evidence, product } = reportEvidence(o);
  let sources: Pick<SnpEvidenceInputs, "endorsements" | "unavailable">;
  const folders = o.endorsements === undefined ? undefined : fileSubject("--endorsements", o.endorsements);
  if (o.log === undefined && o["rekor-url"] === undefined) sources = { endorsements: endorsementsInFolders(o.endorsements!, folders) };
  else {
    // The statements: those of the folders, and those an embedded log kept when it logged them.
    const statements = statementStore([
      ...(o.endorsements === undefined ? [] : statementsInFolders(o.endorsements, folders).values()),
      ...(o.log === undefined ? [] : keptStatements(o.log)),
    ]);
    const log = logClient(o);
    try {
      const { found, unavailable } = await endorsementsFromLog(log.client, policy, keys, statements, log.name);
      sources = { endorsements: found, unavailable };
    } finally {
      log.close();
    }
  }
  const verdict = verifySnpEvidence({ report: evidence, ...sources }, { policy, trust: { keys, logs, at }, ...(product ? { product } : {}) });
  process.stdout.write(o.json ? json(verdict) : evidenceText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}
