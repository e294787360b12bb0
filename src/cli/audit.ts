import { anyOf, statementsInMemory, type ReleasedStatements } from "../audit/monitor/released.js";
import { keptStatementsByHash } from "../audit/history/statements.js";
import type { AuditHistory, HistoryEntry } from "../schema/audit-history.js";
import type { MeasurementFinding } from "../schema/audit-find.js";
import { readInputText } from "../util/input-file.js";
import { embeddedLogTarget, remoteLogTarget, type LogTarget } from "../tlog/target.js";
import { statementsInFolders } from "../verify/load/evidence-endorsements.js";
import type { OptionSpecs } from "./args.js";
import { UsageError } from "./errors.js";
import { fileSubject } from "./input.js";
import { formatTable } from "./output.js";
import { checkTable } from "./verdict.js";

/** Where `audit history` and `audit find` read endorsements from. */
export const AUDIT_SOURCE_OPTIONS = {
  log: { type: "string", value: "DIR", description: "an embedded log (its own key; the statements it kept)" },
  "rekor-url": { type: "string", value: "URL", description: "a Rekor v1 server or `reftrail log serve` (statements from --endorsements)" },
  "rekor-key": { type: "string", value: "FILE", description: "the log's public key (PEM): pins --rekor-url's key, or names the log --endorsements were published to" },
  endorsements: { type: "string", value: "DIR", description: "published component folders (or a folder of release folders): their statements, or with audit find alone, the endorsements" },
  "key-registry": { type: "string", value: "FILE", description: "the key registry: the components' keys and windows (required)" },
} as const satisfies OptionSpecs;

interface SourceOptions {
  log?: string | undefined;
  "rekor-url"?: string | undefined;
  "rekor-key"?: string | undefined;
  endorsements?: string | undefined;
}

/** The log named by --log or --rekor-url (exactly one), opened; the caller closes it. */
export async function openAuditLog(o: SourceOptions): Promise<LogTarget> {
  if (o.log !== undefined && o["rekor-url"] !== undefined) throw new UsageError("give --log or --rekor-url, not both");
  if (o.log !== undefined) {
    if (o["rekor-key"] !== undefined) throw new UsageError("an embedded log has its own key: --rekor-key goes with --rekor-url or --endorsements", "--rekor-key");
    return embeddedLogTarget(o.log, `--log ${o.log}`, false);
  }
  if (o["rekor-url"] === undefined) throw new UsageError("give --log DIR or --rekor-url URL");
  const keyFile = o["rekor-key"];
  const pinnedKey = keyFile === undefined ? undefined : { pem: readInputText(keyFile, fileSubject("--rekor-key", keyFile), 64 << 10), subject: fileSubject("--rekor-key", keyFile) };
  return remoteLogTarget(o["rekor-url"], { ...(pinnedKey ? { pinnedKey } : {}), timeoutMs: 30_000, retries: 2, subject: "--rekor-url" });
}

/** The statements at hand: those the embedded log kept (read by hash when asked) and those of --endorsements. */
export function auditStatements(o: SourceOptions): ReleasedStatements {
  const sources: ReleasedStatements[] = [];
  if (o.log !== undefined) sources.push(keptStatementsByHash(o.log, `--log ${o.log}`));
  if (o.endorsements !== undefined) {
    const store = statementsInFolders(o.endorsements, fileSubject("--endorsements", o.endorsements));
    sources.push(statementsInMemory([...store.values()].map((bytes) => ({ bytes, source: `--endorsements ${o.endorsements}` }))));
  }
  return anyOf(...sources);
}

const short = (hex: string | undefined) => (hex === undefined ? "-" : `${hex.slice(0, 16)}…`);

function entryStatus(e: HistoryEntry): string {
  if (e.verified) return "verified";
  return `FAIL ${e.failures.join(",")}`;
}

function entryRow(e: HistoryEntry): string[] {
  const digests = e.launchDigests ? `${e.launchDigests.configurations} configs/${e.launchDigests.digests} digests` : "";
  return [
    String(e.logIndex),
    e.integratedTime,
    e.release ? `${e.release.name} ${e.release.version}` : "(statement unavailable)",
    e.subject ? `sha256:${short(e.subject.digest["sha256"])}` : `stmt ${short(e.statementSha256)}`,
    e.issuedOn ?? "-",
    e.validity ? `${e.validity.notBefore.slice(0, 10)}..${e.validity.notAfter.slice(0, 10)}` : "-",
    digests,
    entryStatus(e),
    [...(e.flagged ? [`FLAGGED: ${e.flagged}`] : []), ...e.changes].join("; "),
  ];
}

/** `audit history`: the log's state, one row per entry newest first, then the verdict's own checks. */
export function historyText(h: AuditHistory): string {
  const log = h.log;
  const head = `${h.verified ? "VERIFIED" : "NOT VERIFIED"} history of ${h.component} in ${log.source}: ${h.entries.length} entr${h.entries.length === 1 ? "y" : "ies"}${h.since ? ` since ${h.since}` : ""}`;
  const checkpoint = log.checkpoint ? `checkpoint ${log.checkpoint.size} ${short(log.checkpoint.rootHash)}` : "checkpoint not verified";
  const stored = log.stored ? `; auditor's before: ${log.stored.size} ${short(log.stored.rootHash)}` : "; no checkpoint stored before";
  const lines = [head, `${checkpoint}${stored}; state ${log.advanced ? "advanced" : "NOT advanced"}${log.problem ? `; ${log.problem.kind}: ${log.problem.title}` : ""}`, ""];
  const failedDetail = h.entries.filter((e) => !e.verified).slice(0, 20).map((e) => `  log index ${e.logIndex}: ${e.checks.filter((c) => c.status === "failed" || c.status === "not run").map((c) => `${c.check}: ${c.detail ?? ""}`).join("; ")}`);
  return [
    ...lines,
    formatTable(["index", "integrated", "release", "subject", "issued", "validity", "launch digests", "status", "flags / changes since the entry before"], h.entries.map(entryRow)).trimEnd(),
    ...(failedDetail.length ? ["", "failed entries:", ...failedDetail] : []),
    "",
    checkTable(h.checks).trimEnd(),
    "",
  ].join("\n");
}

/** `audit find`: the answer (release, where each value came from, configuration) or what was searched. */
export function findingText(f: MeasurementFinding): string {
  const lines: string[] = [];
  if (f.found) {
    lines.push(`FOUND ${f.measurement.slice(0, 24)}… is release ${f.found.release}${f.found.alsoIn.length ? ` (same values also in ${f.found.alsoIn.join(", ")})` : ""}`);
    const c = f.found.configuration;
    lines.push(`  firmware      ${f.found.firmware}`);
    if (f.found.kernel) {
      lines.push(`  kernel        ${f.found.kernel.kernel}`, `  initrd        ${f.found.kernel.initrd ?? "(none)"}`, `  cmdline       ${f.found.kernel.cmdline}`);
    }
    const models = f.found.vcpuTypes?.join("/") ?? c.vcpuType ?? "-";
    const vcpuType = "vcpuSignature" in c && c.vcpuSignature ? `${models} (signature ${c.vcpuSignature})` : models;
    lines.push(`  configuration VMM ${c.vmm ?? "-"}, ${c.vcpus} vCPUs, vCPU ${vcpuType}${"guestFeatures" in c ? `, guest features ${c.guestFeatures}` : ""}, ${c.kernelHashes ? "kernel hashes (direct boot)" : "firmware only"}`);
  } else {
    lines.push(`NOT FOUND ${f.measurement.slice(0, 24)}…: no endorsed release and configuration produces it`);
  }
  const s = f.searched;
  lines.push(`searched: ${s.releases.length} releases (${s.releases.slice(0, 10).join(", ")}${s.releases.length > 10 ? ", …" : ""}), ${s.candidates} endorsed boots, ${s.digests} launch digests; ${s.configurations}`);
  for (const n of s.notSearched) lines.push(`  not searched: ${n}`);
  for (const u of s.unmeasurable.slice(0, 10)) lines.push(`  unmeasurable: ${u}`);
  for (const r of f.refused) lines.push(`  refused: ${r.source}${r.component ? ` (${r.component})` : ""}: ${r.refused?.check}: ${r.refused?.message}`);
  for (const u of f.unavailable) lines.push(`  statement unavailable: ${u.source} (${u.component}, sha256 ${u.sha256})`);
  return `${lines.join("\n")}\n\n${checkTable(f.checks)}`;
}

/** A history as JSON, written a slice of entries at a time: 100,000 entries are never one string. */
export function writeHistoryJson(h: AuditHistory, write: (chunk: string) => void): void {
  const { entries, ...rest } = h;
  const head = JSON.stringify(rest, null, 2);
  write(`${head.slice(0, -2)},\n  "entries": [`);
  for (let i = 0; i < entries.length; i += 1000) {
    write(entries.slice(i, i + 1000).map((e, j) => `${i + j === 0 ? "" : ","}\n    ${JSON.stringify(e)}`).join(""));
  }
  write(entries.length ? "\n  ]\n}\n" : "]\n}\n");
}
