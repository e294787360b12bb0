import * as core from "@actions/core";
import { monitorLog, withinProblemLimit, type MonitorRun } from "../../../src/audit/monitor/monitor.js";
import { anyOf, statementsInMemory, type ReleasedStatement, type ReleasedStatements } from "../../../src/audit/monitor/released.js";
import { withReported } from "../../../src/audit/monitor/state.js";
import { loadRegistry } from "../../../src/verify/load/keys.js";
import { keptStatements } from "../../../src/tlog/embedded/statements.js";
import { ActionError } from "../common/errors.js";
import { openLogInput } from "../common/log-input.js";
import { defaultBranch } from "../common/contents.js";
import { gitHubClient } from "../common/github.js";
import { labelledIssues, openIssue } from "../common/issues.js";
import { runContext } from "../common/runner.js";
import { monitorInputs } from "./inputs.js";
import { repositoryReferenceValues } from "./reference-values.js";
import { releaseStatementAssets, type ReleaseStatementAssets } from "./released-assets.js";
import { loadState, type StoredState } from "./state-store.js";
import { writeMonitorSummary, type ReportedProblem } from "./summary.js";

/** The marker that carries a problem's fingerprint in its issue's body: later runs find the issue by it, open or closed. */
const marker = (fingerprint: string) => `<!-- reftrail-monitor fingerprint: ${fingerprint} -->`;
const MARKER = /<!-- reftrail-monitor fingerprint: (\S+) -->/g;

/**
 * One scheduled run: read the state, check the log from its stored checkpoint and every new entry by a
 * component key, open one issue per new problem (unless an issue with the label already carries its
 * fingerprint), and only then store the advanced state. Issues are the alert: the step fails on
 * errors, and on new problems only with `fail-on-problem`.
 */
export async function monitorAction(): Promise<void> {
  const context = runContext();
  const inputs = monitorInputs(context);
  const registry = loadRegistry(inputs.keyRegistry, `input 'key-registry' ${inputs.keyRegistry}`).loaded;
  const github = gitHubClient({ token: inputs.token, timeoutMs: inputs.timeoutMs, retries: inputs.retries });

  // The log first: a log that cannot be opened fails the step before the repository is touched.
  const target = await openLogInput(inputs.log, { create: false, timeoutMs: inputs.timeoutMs, retries: inputs.retries, why: " (a monitor that trusts what the log serves cannot tell a replaced log)" });
  let stored: StoredState;
  let assets: ReleaseStatementAssets;
  let kept: ReleasedStatement[];
  let run: MonitorRun;
  let postponed = 0;
  try {
    stored = await loadState(github, context, inputs.state);
    core.info(`state: ${stored.where}${stored.created ? " (none yet: first run)" : ""}`);
    const cache = stored.state.statementAssets;
    assets = await core.group("released statements", async () => {
      const found = await releaseStatementAssets(github, context, cache);
      core.info(`${found.assets} statement assets in ${found.releases} releases, ${found.downloaded} downloaded now`);
      return found;
    });
    kept = target.dir !== undefined ? keptStatements(target.dir).map((bytes) => ({ bytes, source: `statement kept by ${target.log.source}` })) : [];
    const statements: ReleasedStatements = kept.length > 0 ? anyOf(assets, statementsInMemory(kept)) : assets;
    const referenceValues = repositoryReferenceValues(github, context, inputs.referenceValuesDir, await defaultBranch(github, context));
    const state = { ...stored.state, statementAssets: assets.hashes };
    run = await core.group(`log ${target.log.source}`, async () => {
      const result = await monitorLog({ client: target.client, log: target.log, registry, registrySource: inputs.keyRegistry, statements, referenceValues, state });
      core.info(result.checkpoint ? `checkpoint: size ${result.checkpoint.size}, root ${result.checkpoint.rootHash}` : "checkpoint: did not verify");
      for (const c of result.components) core.info(`${c.component}: ${c.checked} new entries checked, ${c.total} in all`);
      const limited = withinProblemLimit(result, target.log.identity.logId, inputs.maxIssues);
      postponed = limited.postponed;
      if (postponed > 0) core.warning(`${postponed} further problems are left for the next run (max-issues ${inputs.maxIssues})`);
      return limited.run;
    });
  } finally {
    target.close();
  }

  const reported: ReportedProblem[] = [];
  if (run.problems.length > 0) {
    await core.group(`${run.problems.length} new problems`, async () => {
      const earlier = new Map<string, { number: number; url: string }>();
      for (const issue of await labelledIssues(github, context, inputs.labels)) for (const m of issue.body.matchAll(MARKER)) earlier.set(m[1]!, issue);
      for (const problem of run.problems) {
        const existing = earlier.get(problem.fingerprint);
        if (existing !== undefined) {
          core.info(`${problem.kind}: reported before in #${existing.number}`);
          reported.push({ problem, issue: { ...existing, opened: false } });
          continue;
        }
        const issue = await openIssue(github, context, { title: problem.title, body: `${problem.body}\n\n${marker(problem.fingerprint)}\n`, labels: inputs.labels });
        core.warning(`${problem.title}: ${issue.url}`);
        reported.push({ problem, issue: { number: issue.number, url: issue.url, opened: true } });
      }
    });
  }
  // Every issue of the window is open: only now may the state move past it.
  const next = withReported(run.state, run.problems.map((p) => p.fingerprint));
  const saved = await stored.save(next, `reftrail monitor: ${target.log.source} at tree size ${run.checkpoint?.size ?? "unverified"}`);
  core.info(`state ${saved}: ${stored.where}`);

  core.setOutput("problems", String(run.problems.length));
  core.setOutput("entries", String(run.entries));
  core.setOutput("tree-size", run.checkpoint ? String(run.checkpoint.size) : "");
  await writeMonitorSummary({ log: target.log.source, run, reported, postponed, state: stored.where, statements: { releases: assets.releases, assets: assets.assets, downloaded: assets.downloaded, kept: kept.length } });
  if (inputs.failOnProblem && run.problems.length > 0) throw new ActionError("PROBLEMS", `${run.problems.length} new problem${run.problems.length > 1 ? "s" : ""} reported: ${reported.map((r) => r.issue.url).join(", ")}`, "reftrail monitor");
}
