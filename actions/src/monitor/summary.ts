import * as core from "@actions/core";
import type { MonitorRun } from "../../../src/audit/monitor/monitor.js";
import type { MonitorProblem } from "../../../src/audit/monitor/problems.js";

/** A problem of this run and the issue that reports it: opened now, or found open or closed from before. */
export interface ReportedProblem {
  readonly problem: MonitorProblem;
  readonly issue: { readonly number: number; readonly url: string; readonly opened: boolean };
}

export interface MonitorReport {
  readonly log: string;
  readonly run: MonitorRun;
  readonly reported: readonly ReportedProblem[];
  /** Problems beyond max-issues, left for the next run. */
  readonly postponed: number;
  readonly state: string;
  readonly statements: { readonly releases: number; readonly assets: number; readonly downloaded: number; readonly kept: number };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (text: string) => `<code>${escape(text)}</code>`;
const cell = (data: string, header = false) => ({ data, header });

/** The job summary: the checkpoint, entries checked per component, and each problem linked to its issue. */
export async function writeMonitorSummary(report: MonitorReport): Promise<void> {
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  const { run } = report;
  const summary = core.summary.addHeading(`reftrail monitor: ${escape(report.log)}`, 2);
  const checkpoint = run.checkpoint;
  summary.addRaw(
    checkpoint ? `<p>Checkpoint: tree size <strong>${checkpoint.size}</strong>, root ${code(checkpoint.rootHash)} (${escape(checkpoint.origin)}).</p>` : "<p>Checkpoint: <strong>did not verify</strong>; no entry was checked.</p>",
    true,
  );
  summary.addTable([
    ["component", "entries checked now", "entries by its keys in all"].map((h) => cell(h, true)),
    ...run.components.map((c) => [escape(c.component), String(c.checked), String(c.total)].map((d) => cell(d))),
  ]);
  if (run.deferred > 0) summary.addRaw(`<p>${run.deferred} entries logged after the checkpoint are left for the next run.</p>`, true);
  const s = report.statements;
  summary.addRaw(`<p>Released statements: ${s.assets} assets in ${s.releases} releases (${s.downloaded} downloaded now)${s.kept > 0 ? `, ${s.kept} kept by the log` : ""}. State: ${escape(report.state)}.</p>`, true);
  if (report.reported.length === 0) {
    summary.addRaw("<p><strong>No new problem.</strong></p>", true);
  } else {
    summary.addHeading(`${report.reported.length} new problem${report.reported.length > 1 ? "s" : ""}`, 3);
    summary.addList(report.reported.map(({ problem, issue }) => `${code(problem.kind)} ${escape(problem.title)}: <a href="${escape(issue.url)}">#${issue.number}</a>${issue.opened ? "" : " (reported before)"}`));
  }
  if (report.postponed > 0) {
    summary.addRaw(`<p>${report.postponed} further problems are left for the next run (max-issues).</p>`, true);
  }
  await summary.write();
}
