import type { GitHub } from "./github.js";
import { gitHubFailure } from "./github.js";
import type { RunContext } from "./runner.js";

/** An issue as the Actions use it. */
export interface IssueRef {
  readonly number: number;
  readonly url: string;
  readonly state: string;
  readonly body: string;
}

/**
 * Every issue (open or closed) carrying all of `labels`, paginated. Pull requests are issues to the
 * API too ("you can identify pull requests by the `pull_request` key"): they are left out.
 */
export async function labelledIssues(github: GitHub, context: RunContext, labels: readonly string[]): Promise<IssueRef[]> {
  try {
    const issues = await github.paginate(github.rest.issues.listForRepo, { owner: context.owner, repo: context.repo, state: "all", labels: labels.join(","), per_page: 100 });
    return issues.filter((i) => i.pull_request === undefined).map((i) => ({ number: i.number, url: i.html_url, state: i.state, body: i.body ?? "" }));
  } catch (err) {
    throw gitHubFailure(err, `listing the issues labelled ${labels.join(", ")}`);
  }
}

export async function openIssue(github: GitHub, context: RunContext, issue: { title: string; body: string; labels: readonly string[] }): Promise<IssueRef> {
  try {
    const { data } = await github.rest.issues.create({ owner: context.owner, repo: context.repo, title: issue.title, body: issue.body, labels: [...issue.labels] });
    return { number: data.number, url: data.html_url, state: data.state, body: data.body ?? "" };
  } catch (err) {
    throw gitHubFailure(err, `opening the issue '${issue.title}'`);
  }
}
