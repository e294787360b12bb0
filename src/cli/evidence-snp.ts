import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES } from "../endorse/files.js";
import { parseDocument } from "../schema/parse.js";
import { EvidencePolicy } from "../schema/evidence-policy.js";
import type { FoundEndorsement } from "../verify/evidence/endorsements.js";
import { verifySnpEvidence, type SnpEvidenceVerdict } from "../verify/evidence/snp.js";
import { requireOptions, type OptionSpecs, type ParsedOptions } from "./args.js";
import { ExitCode, UsageError } from "./errors.js";
import { fileSubject, readTextInput } from "./input.js";
import { formatTable, json, notVerified } from "./output.js";
import { REPORT_OPTIONS, reportEvidence } from "./report-options.js";
import { TRUST_OPTIONS, evidenceFromDir, keySource, trustedLogs, verificationTime } from "./verify-options.js";

const { key: _key, component: _component, claims: _claims, "allow-set-only": _setOnly, ...TRUST } = TRUST_OPTIONS;

/** `verify evidence --format snp`: the report options, the endorsement source, the trust anchors, the policy. */
export const SNP_EVIDENCE_OPTIONS = {
  ...REPORT_OPTIONS,
  endorsements: { type: "string", value: "DIR", description: "snp: a folder of published component folders (as `reftrail publish release` leaves them)" },
  ...TRUST,
} as const satisfies OptionSpecs;

type Options = ParsedOptions<typeof SNP_EVIDENCE_OPTIONS> & { policy?: string; json?: boolean };

/** Every component folder under DIR that holds an endorsement; each is verified by the library, never skipped silently. */
function endorsementsIn(dir: string): FoundEndorsement[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
    names = readdirSync(dir).sort();
  } catch {
    throw new UsageError("is not a readable folder", `--endorsements ${dir}`);
  }
  return names
    .filter((name) => !name.startsWith(".") && existsSync(join(dir, name, ENDORSEMENT_FILES.statement)))
    .flatMap((name) => evidenceFromDir(join(dir, name)).map((p) => ({ source: `${name}/${p.file}`, logged: p.evidence })));
}

const short = (hex: string | undefined) => (hex === undefined ? "" : hex.length > 24 ? `${hex.slice(0, 16)}…` : hex);

/** The human report: the verdict, one row per component, one per check that did not pass. */
export function snpEvidenceText(v: SnpEvidenceVerdict): string {
  const c = v.configuration;
  const head = v.verified
    ? `VERIFIED SEV-SNP evidence (${v.product ?? "unknown product"}, ${v.signer ?? "unknown signer"}): MEASUREMENT ${short(v.measurement)} is ${c!.vmm}, ${c!.vcpus} vCPUs${c!.vcpuType ? `, ${c!.vcpuType}` : ""}${c!.vcpuSignature ? ` (${c!.vcpuSignature})` : ""}, guest features ${c!.guestFeatures}, ${c!.kernelHashes ? "kernel hashes" : "firmware only"}`
    : `NOT VERIFIED SEV-SNP evidence: ${v.failures.join(", ")}`;
  const rows = v.components.map((r) => [
    r.component,
    r.status,
    r.boundBy ?? "",
    short(r.expected),
    short(r.found),
    r.endorsement ? `${r.endorsement.source}${r.endorsement.logIndex !== undefined ? ` #${r.endorsement.logIndex}` : ""}` : "",
    r.status === "VERIFIED" ? "" : (r.detail ?? ""),
  ]);
  const problems = v.checks.filter((k) => k.status === "failed" || k.status === "not run");
  return (
    `${head}\n${formatTable(["component", "status", "bound by", "expected", "found", "endorsement", "detail"], rows)}` +
    (problems.length ? `\n${formatTable(["check", "subject", "result", "reason"], problems.map((k) => [k.check, k.subject ?? "", k.status === "failed" ? "FAIL" : k.status, k.detail ?? ""]))}` : "")
  );
}

export function runSnpEvidence(o: Options): number {
  requireOptions(o, ["report", "cert", "endorsements", "key-registry", "policy"]);
  const policyPath = o.policy!;
  const policy = parseDocument(EvidencePolicy, readTextInput("--policy", policyPath, 4 << 20), fileSubject("--policy", policyPath));
  const keys = keySource(o);
  const logs = trustedLogs(o);
  const at = verificationTime(o);
  const { evidence, product } = reportEvidence(o);
  const endorsements = endorsementsIn(o.endorsements!);
  const verdict = verifySnpEvidence({ report: evidence, endorsements }, { policy, trust: { keys, logs, at }, ...(product ? { product } : {}) });
  process.stdout.write(o.json ? json(verdict) : snpEvidenceText(verdict));
  if (!verdict.verified) notVerified(verdict.failures.join(", "));
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}
