import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS } from "../endorse/files.js";
import { RekorClient, displayUrl, httpTransport } from "../tlog/client.js";
import { inProcessTransport } from "../tlog/embedded/in-process.js";
import { endorsementsFromLog, statementStore } from "../verify/evidence/from-log.js";
import { parseDocument } from "../schema/parse.js";
import { EvidencePolicy } from "../schema/evidence-policy.js";
import type { FoundEndorsement } from "../verify/evidence/endorsements.js";
import { verifySnpEvidence, type SnpEvidenceInputs } from "../verify/evidence/snp.js";
import { requireOptions, type OptionSpecs, type ParsedOptions } from "./args.js";
import { ExitCode, UsageError } from "./errors.js";
import { fileSubject, readInputFile, readTextInput } from "./input.js";
import { openLogDir } from "./log-dir.js";
import { json, notVerified } from "./output.js";
import { evidenceText } from "./verdict.js";
import { REPORT_OPTIONS, reportEvidence } from "./report-options.js";
import { loggedFromFolder } from "../verify/load/logged.js";
import { TRUST_OPTIONS, keySource, trustedLogs, verificationTime } from "./verify-options.js";

const { key: _key, component: _component, claims: _claims, "allow-set-only": _setOnly, ...TRUST } = TRUST_OPTIONS;

/** `verify evidence --format snp`: the report options, the endorsement source, the trust anchors, the policy. */
export const SNP_EVIDENCE_OPTIONS = {
  ...REPORT_OPTIONS,
  endorsements: { type: "string", value: "DIR", description: "snp: published component folders (as `reftrail publish release` leaves them), or a folder of such release folders" },
  log: { type: "string", value: "DIR", description: "snp: take the log entries from this embedded log, by component key, instead of the folders' own (statements still come from --endorsements)" },
  "rekor-url": { type: "string", value: "URL", description: "snp: take the log entries from this Rekor v1 server (or `reftrail log serve`), by component key" },
  ...TRUST,
} as const satisfies OptionSpecs;

type Options = ParsedOptions<typeof SNP_EVIDENCE_OPTIONS> & { policy?: string; json?: boolean };

/**
 * The component folders under DIR (DIR/<component>/endorsement.json), or under each release folder
 * of DIR (DIR/<release>/<component>/endorsement.json), as a verifier keeps several releases.
 */
function componentFolders(dir: string): { folder: string; name: string }[] {
  const list = (path: string) => readdirSync(path).filter((n) => !n.startsWith(".")).sort();
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
    names = list(dir);
  } catch {
    throw new UsageError("is not a readable folder", `--endorsements ${dir}`);
  }
  const isComponent = (path: string) => existsSync(join(path, ENDORSEMENT_FILES.statement));
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (isComponent(path)) return [{ folder: path, name }];
    if (!statSync(path).isDirectory()) return [];
    return list(path).flatMap((inner) => (isComponent(join(path, inner)) ? [{ folder: join(path, inner), name: `${name}/${inner}` }] : []));
  });
}

/** Each folder's own log entries (logentry.json, the bundle): every one is verified by the library, never skipped silently. */
function endorsementsIn(dir: string): FoundEndorsement[] {
  return componentFolders(dir).flatMap(({ folder, name }) => loggedFromFolder(folder).map((p) => ({ source: `${name}/${p.file}`, logged: p.logged })));
}

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
  requireOptions(o, ["report", "cert", "endorsements", "key-registry", "policy"]);
  const policyPath = o.policy!;
  const policy = parseDocument(EvidencePolicy, readTextInput("--policy", policyPath, 4 << 20), fileSubject("--policy", policyPath));
  const keys = keySource(o);
  const logs = trustedLogs(o);
  const at = verificationTime(o);
  const { evidence, product } = reportEvidence(o);
  let sources: Pick<SnpEvidenceInputs, "endorsements" | "unavailable">;
  if (o.log === undefined && o["rekor-url"] === undefined) sources = { endorsements: endorsementsIn(o.endorsements!) };
  else {
    const statements = statementStore(componentFolders(o.endorsements!).map(({ folder }) => readInputFile("--endorsements", join(folder, ENDORSEMENT_FILES.statement), ENDORSEMENT_FILE_LIMITS.statement)));
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
