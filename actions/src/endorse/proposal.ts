import { ActionError } from "../common/errors.js";
import { defaultBranch, ensureBranch, readRepositoryFile, writeRepositoryFile } from "../common/contents.js";
import { gitHubFailure, statusOf, type GitHub } from "../common/github.js";
import type { RunContext } from "../common/runner.js";

export type Proposal =
  | { readonly kind: "present"; readonly branch: string }
  | { readonly kind: "committed"; readonly branch: string }
  | { readonly kind: "pull-request"; readonly url: string; readonly number: number; readonly opened: boolean };

/** The branch a release's reference values are proposed on. */
export const proposalBranch = (tag: string) => `reftrail/reference-values/${tag}`;

/**
 * Puts the release's reference-values document into the repository: in a pull request from its own
 * branch, or committed to the default branch. Already there with the same bytes: nothing to do. There
 * with other bytes: refused, naming the file (reference values once merged are history, not drafts).
 * One pull request per release, whatever the number of runs: an existing one (open or closed) is reused.
 */
export async function proposeReferenceValues(github: GitHub, context: RunContext, path: string, bytes: Uint8Array, tag: string, pullRequest: boolean): Promise<Proposal> {
  const { base, present } = await referenceValuesOnDefaultBranch(github, context, path, bytes, tag);
  if (present) return { kind: "present", branch: base };
  const message = `reference values of release ${tag} (reftrail)`;
  if (!pullRequest) {
    await writeRepositoryFile(github, context, base, path, bytes, message);
    return { kind: "committed", branch: base };
  }
  const branch = proposalBranch(tag);
  await ensureBranch(github, context, branch, base);
  await writeRepositoryFile(github, context, branch, path, bytes, message);
  const existing = await pullFor(github, context, branch);
  if (existing !== undefined) return { kind: "pull-request", ...existing, opened: false };
  try {
    const { data } = await github.rest.pulls.create({
      owner: context.owner,
      repo: context.repo,
      head: branch,
      base,
      title: `Reference values of release ${tag}`,
      body: `The reference values reftrail measured from the assets of release ${tag}, whose endorsements are logged and attached to the release.\n\nMerging records them in \`${path}\`, which the reftrail monitor checks every logged endorsement against.`,
    });
    return { kind: "pull-request", url: data.html_url, number: data.number, opened: true };
  } catch (err) {
    // 422 "A pull request already exists": opened concurrently, or our answer was lost.
    if (statusOf(err) === 422) {
      const raced = await pullFor(github, context, branch);
      if (raced !== undefined) return { kind: "pull-request", ...raced, opened: false };
    }
    throw gitHubFailure(err, `opening a pull request from ${branch}`);
  }
}

/**
 * Whether the default branch already holds exactly these reference values; other values there are
 * refused. Checked before anything is logged, and again when proposing.
 */
export async function referenceValuesOnDefaultBranch(github: GitHub, context: RunContext, path: string, bytes: Uint8Array, tag: string): Promise<{ base: string; present: boolean }> {
  const base = await defaultBranch(github, context);
  const onBase = await readRepositoryFile(github, context, path, base);
  if (onBase !== undefined && !onBase.bytes.equals(bytes)) {
    throw new ActionError("REFERENCE_VALUES_CONFLICT", `on ${base} differs from what release ${tag} measures now; refusing to replace published reference values`, path);
  }
  return { base, present: onBase !== undefined };
}

async function pullFor(github: GitHub, context: RunContext, branch: string): Promise<{ url: string; number: number } | undefined> {
  try {
    const pulls = await github.paginate(github.rest.pulls.list, { owner: context.owner, repo: context.repo, head: `${context.owner}:${branch}`, state: "all", per_page: 100 });
    const pull = pulls[0];
    return pull === undefined ? undefined : { url: pull.html_url, number: pull.number };
  } catch (err) {
    throw gitHubFailure(err, `listing the pull requests from ${branch}`);
  }
}
