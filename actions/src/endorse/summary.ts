import * as core from "@actions/core";
import type { ReferenceValues } from "../../../src/schema/reference-values.js";
import type { Proposal } from "./proposal.js";

export interface LoggedComponent {
  readonly component: string;
  readonly logIndex: number;
  readonly entryId: string;
  /** A page showing the entry (public Rekor's search, or the server's entry URL); null for a log folder. */
  readonly entryUrl: string | null;
  readonly status: string;
}

export interface EndorseReport {
  readonly values: ReferenceValues;
  readonly tag: string;
  readonly dryRun: boolean;
  readonly keyIds: ReadonlyMap<string, string>;
  readonly logged: readonly LoggedComponent[];
  readonly log: string;
  readonly assets: { uploaded: number; kept: number };
  readonly proposal?: Proposal;
  readonly path: string;
}

/** The most launch-digest rows shown; the reference-values file holds them all. */
const MAX_DIGEST_ROWS = 1000;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (text: string) => `<code>${escape(text)}</code>`;

/** An HTML table of cells that are already HTML (the summary builder is one shared buffer, so nested tables are written here). */
function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join("")}</tr>`;
  return `<table>${row(headers, "th")}${rows.map((r) => row(r, "td")).join("")}</table>`;
}
const cell = (data: string, header = false) => ({ data, header });

/** The job summary: per component its digest, key and log entry; per firmware its launch digests per configuration. */
export async function writeEndorseSummary(report: EndorseReport): Promise<void> {
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  const { values } = report;
  const summary = core.summary.addHeading(`reftrail endorse: ${values.release.name} ${report.tag}`, 2);
  if (report.dryRun) summary.addRaw("<p><strong>Dry run</strong>: measured and signed in the runner's temporary folder; nothing was logged, uploaded or proposed.</p>", true);
  const logged = new Map(report.logged.map((l) => [l.component, l]));
  summary.addTable([
    ["component", "kind", "version", "sha256", "key id", "log index", "entry"].map((h) => cell(h, true)),
    ...values.components.map((c) => {
      const entry = logged.get(c.name);
      const index = entry === undefined ? "—" : entry.entryUrl !== null ? `<a href="${entry.entryUrl}">${entry.logIndex}</a>` : String(entry.logIndex);
      return [escape(c.name), c.kind, escape(c.version), code(c.subject.digest["sha256"] ?? Object.values(c.subject.digest)[0] ?? ""), code(report.keyIds.get(c.name)?.slice(0, 16) ?? ""), index, entry === undefined ? "not logged" : `${entry.status} ${code(entry.entryId.slice(-16))}`].map((d) => cell(d));
    }),
  ]);
  if (!report.dryRun) summary.addRaw(`<p>Log: ${report.log}. Release assets: ${report.assets.uploaded} uploaded, ${report.assets.kept} already there.</p>`, true);
  const proposal = report.proposal;
  if (proposal !== undefined) {
    const line =
      proposal.kind === "pull-request" ? `proposed in <a href="${proposal.url}">pull request #${proposal.number}</a>${proposal.opened ? "" : " (opened by an earlier run)"}` : proposal.kind === "committed" ? `committed to ${proposal.branch}` : `already on ${proposal.branch}`;
    summary.addRaw(`<p>Reference values ${code(report.path)}: ${line}.</p>`, true);
  }
  for (const c of values.components) {
    if (c.kind !== "firmware") continue;
    const rows = [];
    for (const config of c.launchDigests) {
      const boot = config.boot === null ? "firmware only" : `kernel ${config.boot.kernel}`;
      if (config.mode === "sev") {
        rows.push(["sev", "any", "any", "—", escape(boot), "any", code(config.digest)]);
        continue;
      }
      for (const [vcpus, digest] of Object.entries(config.digests)) rows.push([config.mode, config.vmmType, escape(config.vcpuType ?? config.vcpuSignature ?? ""), config.guestFeatures ?? "—", escape(boot), vcpus, code(digest)]);
    }
    const shown = rows.slice(0, MAX_DIGEST_ROWS);
    const more = rows.length > shown.length ? `<p>${rows.length - shown.length} more in ${code(report.path)}.</p>` : "";
    const table = htmlTable(["mode", "vmm", "vCPU type", "guest features", "boot", "vCPUs", "launch digest"], shown);
    summary.addDetails(`${escape(c.name)}: ${rows.length} launch digests`, table + more);
  }
  await summary.write();
}
