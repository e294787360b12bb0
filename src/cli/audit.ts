import { DEFAULT_AUDITOR_STATE_DIR, loadAuditorState, storeAuditorState, type AuditorState } from "../audit/auditor-state.js";
import { referenceValuesFolder } from "../audit/history/reference-values.js";
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
import { printable } from "../util/printable.js";
import { checkTable } from "./verdict.js";
import { registryOption } from "./key-registry.js";

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

/** The options of an auditor run over a whole history (`audit history`, `audit build-site`) beside the sources. */
export const AUDITOR_OPTIONS = {
  "reference-values": { type: "string", value: "DIR", description: "reference-values documents (<version>.json): entries whose values match none are flagged" },
  state: { type: "string", value: "DIR", description: `the auditor's state: the last verified checkpoint per log (default ${DEFAULT_AUDITOR_STATE_DIR})` },
} as const satisfies OptionSpecs;

/**
 * What an auditor run reads before it opens the log: the registry, the reference-values documents,
 * its state (and how to store the next one) and the statements at hand. Bad input fails here, exit 2.
 */
export function auditorInputs(o: SourceOptions & { "key-registry"?: string | undefined; "reference-values"?: string | undefined; state?: string | undefined }) {
  const registry = registryOption("--key-registry", o["key-registry"])!;
  const values = o["reference-values"];
  const referenceValues = values === undefined ? undefined : referenceValuesFolder(values, fileSubject("--reference-values", values));
  const stateDir = o.state ?? DEFAULT_AUDITOR_STATE_DIR;
  const stateSubject = `--state ${stateDir}`;
  return {
    registry: registry.loaded,
    ...(referenceValues ? { referenceValues } : {}),
    state: loadAuditorState(stateDir, stateSubject),
    storeState: (next: AuditorState) => storeAuditorState(stateDir, next, stateSubject),
    statements: auditStatements(o),
  };
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

const HISTORY_COLUMNS = ["index", "integrated", "release", "subject", "issued", "validity", "launch digests", "status", "flags / changes since the entry before"];

/**
 * `audit history` as a table written while the history is read: the column widths are those of the
 * first rows (a later, longer cell pushes its row's next cells right), the failed entries' reasons
 * and the verdict follow the table. Nothing grows with the number of entries but the sample of
 * failures it names.
 */
export class HistoryTable {
  private widths: number[] | undefined;
  private buffered: string[][] = [];
  private chunk: string[] = [];
  private readonly failed: string[] = [];

  constructor(private readonly write: (text: string) => void, private readonly sample = 200) {}

  row(e: HistoryEntry): void {
    if (!e.verified && this.failed.length < 20) {
      this.failed.push(`  log index ${e.logIndex}: ${e.checks.filter((c) => c.status === "failed" || c.status === "not run").map((c) => `${c.check}: ${c.detail ?? ""}`).join("; ")}`);
    }
    const cells = entryRow(e).map(printable);
    if (this.widths !== undefined) this.add(cells);
    else if (this.buffered.push(cells) >= this.sample) this.fix();
  }

  /** The table's end, then the failed entries and the verdict. */
  end(h: AuditHistory): void {
    if (this.widths === undefined) this.fix();
    this.flush();
    const log = h.log;
    const checkpoint = log.checkpoint ? `checkpoint ${log.checkpoint.size} ${short(log.checkpoint.rootHash)}` : "checkpoint not verified";
    const stored = log.stored ? `; auditor's before: ${log.stored.size} ${short(log.stored.rootHash)}` : "; no checkpoint stored before";
    this.write(
      [
        ...(this.failed.length ? ["", "failed entries:", ...this.failed] : []),
        "",
        `${h.verified ? "VERIFIED" : "NOT VERIFIED"} history of ${h.component} in ${log.source}: ${h.total} entr${h.total === 1 ? "y" : "ies"}${h.since ? ` since ${h.since}` : ""}, newest first`,
        `${checkpoint}${stored}; state ${log.advanced ? "advanced" : "NOT advanced"}${log.problem ? `; ${log.problem.kind}: ${log.problem.title}` : ""}`,
        "",
        checkTable(h.checks).trimEnd(),
        "",
      ].join("\n"),
    );
  }

  private fix(): void {
    const rows = this.buffered;
    this.widths = HISTORY_COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    this.add(HISTORY_COLUMNS);
    for (const r of rows) this.add(r);
    this.buffered = [];
  }

  private add(cells: readonly string[]): void {
    this.chunk.push(`${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(this.widths![i]!))).join("  ").trimEnd()}\n`);
    if (this.chunk.length >= 500) this.flush();
  }

  private flush(): void {
    if (this.chunk.length) this.write(this.chunk.join(""));
    this.chunk = [];
  }
}

/** `audit find`: the answer (release, where each value came from, configuration) or what was searched. */
export function findingText(f: MeasurementFinding): string {
  const lines: string[] = [];
  if (f.found) {
    const { found } = f;
    const also = found.alsoIn.length ? ` (same values also in ${found.alsoIn.join(", ")})` : "";
    lines.push(`FOUND ${f.measurement.slice(0, 24)}… is ${found.mixed ? "values of different releases, each endorsed" : `release ${found.release}${also}`} (${found.method === "recomputed" ? "recomputed from the endorsed values" : "a digest the firmware endorsement publishes"})`);
    const releases = (part: keyof typeof found.releases) => (found.mixed && found.releases[part] ? `  [release ${found.releases[part]!.join(", ")}]` : "");
    lines.push(`  firmware      ${found.firmware}${releases("firmware")}`);
    if (found.kernel) {
      lines.push(`  kernel        ${found.kernel.kernel}${releases("kernel")}`, `  initrd        ${found.kernel.initrd ?? "(none)"}${releases("initrd")}`, `  cmdline       ${found.kernel.cmdline}${releases("cmdline")}`);
    }
    const c = found.configuration;
    const models = found.vcpuTypes?.join("/") ?? c.vcpuType ?? "-";
    const vcpuType = c.vcpuSignature ? `${models} (signature ${c.vcpuSignature})` : models;
    const mode = "mode" in c ? `${c.mode === "sev" ? "SEV" : "SEV-ES"}, ` : "";
    lines.push(`  configuration ${mode}VMM ${c.vmm ?? "any"}, ${c.vcpus ?? "any number of"} vCPUs, vCPU ${vcpuType}${"guestFeatures" in c ? `, guest features ${c.guestFeatures}` : ""}, ${c.kernelHashes ? "kernel hashes (direct boot)" : "firmware only"}`);
  } else {
    lines.push(`NOT FOUND ${f.measurement.slice(0, 24)}…: no endorsed release and configuration produces it`);
  }
  const s = f.searched;
  lines.push(`searched: ${s.releases.length} releases (${s.releases.slice(0, 10).join(", ")}${s.releases.length > 10 ? ", …" : ""}), ${s.candidates} endorsed boots and ${s.mixedBoots} combining releases, ${s.digests} launch digests; ${s.configurations}`);
  for (const n of s.notSearched) lines.push(`  not searched: ${n}`);
  for (const u of s.unmeasurable.slice(0, 10)) lines.push(`  unmeasurable: ${u}`);
  for (const r of f.refused) lines.push(`  refused: ${r.source}${r.component ? ` (${r.component})` : ""}: ${r.refused?.check}: ${r.refused?.message}`);
  for (const u of f.unavailable) lines.push(`  statement unavailable: ${u.source} (${u.component}, sha256 ${u.sha256})`);
  return `${lines.join("\n")}\n\n${checkTable(f.checks)}`;
}

/**
 * A history as JSON written while it is read: `entries` first, each as it comes, then the rest of
 * the AuditHistory once the whole-history checks are known (the same object, members in another order).
 */
export class HistoryJson {
  private count = 0;
  private chunk: string[] = [];

  constructor(private readonly write: (text: string) => void) {}

  row(e: HistoryEntry): void {
    // Opened with the first entry: a run that fails before any (exit 2) prints no half document.
    if (this.count === 0) this.chunk.push('{\n  "entries": [');
    this.chunk.push(`${this.count++ === 0 ? "" : ","}\n    ${JSON.stringify(e)}`);
    if (this.chunk.length >= 500) this.flush();
  }

  end(h: AuditHistory): void {
    if (this.count === 0) this.chunk.push('{\n  "entries": [');
    this.flush();
    const { entries: _entries, ...rest } = h;
    this.write(`${this.count ? "\n  " : ""}],\n${JSON.stringify(rest, null, 2).slice(2)}\n`);
  }

  private flush(): void {
    if (this.chunk.length) this.write(this.chunk.join(""));
    this.chunk = [];
  }
}
