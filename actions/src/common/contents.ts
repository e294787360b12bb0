import type { GitHub } from "./github.js";
import { gitHubFailure, statusOf } from "./github.js";
import type { RunContext } from "./runner.js";
import { ActionError } from "./errors.js";

/** A file of the repository at a branch, if there is one. */
export async function readRepositoryFile(github: GitHub, context: RunContext, path: string, ref: string): Promise<{ bytes: Buffer; sha: string } | undefined> {
  let data;
  try {
    ({ data } = await github.rest.repos.getContent({ owner: context.owner, repo: context.repo, path, ref }));
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw gitHubFailure(err, `reading ${path} at ${ref}`);
  }
  if (Array.isArray(data) || data.type !== "file") throw new ActionError("REPOSITORY_FILE", `is a ${Array.isArray(data) ? "folder" : data.type}, not a file`, `${path} at ${ref}`);
  // The contents API inlines files up to 1 MB; a larger one (up to 100 MB) comes back without content
  // (encoding "none") and is read as its git blob.
  const inline = "content" in data && typeof data.content === "string" ? data.content : "";
  const bytes = inline === "" && data.size > 0 ? await readBlob(github, context, data.sha, `${path} at ${ref}`) : Buffer.from(inline, "base64");
  if (bytes.length !== data.size) throw new ActionError("REPOSITORY_FILE", `came back with ${bytes.length} bytes, the API lists ${data.size}`, `${path} at ${ref}`);
  return { bytes, sha: data.sha };
}

async function readBlob(github: GitHub, context: RunContext, sha: string, what: string): Promise<Buffer> {
  let data;
  try {
    ({ data } = await github.rest.git.getBlob({ owner: context.owner, repo: context.repo, file_sha: sha }));
  } catch (err) {
    throw gitHubFailure(err, `reading ${what} (blob ${sha})`);
  }
  if (data.encoding !== "base64") throw new ActionError("REPOSITORY_FILE", `came back as a blob in encoding '${data.encoding}', not base64`, what);
  return Buffer.from(data.content, "base64");
}

export async function defaultBranch(github: GitHub, context: RunContext): Promise<string> {
  try {
    return (await github.rest.repos.get({ owner: context.owner, repo: context.repo })).data.default_branch;
  } catch (err) {
    throw gitHubFailure(err, `reading ${context.owner}/${context.repo}`);
  }
}

/**
 * Writes `bytes` to `path` on `branch` unless it already holds them: one commit through the contents
 * API, with the file's blob sha for optimistic concurrency (a concurrent writer makes this fail
 * rather than be overwritten).
 */
export async function writeRepositoryFile(github: GitHub, context: RunContext, branch: string, path: string, bytes: Uint8Array, message: string, current?: { sha: string }): Promise<"written" | "unchanged"> {
  const existing = current === undefined ? await readRepositoryFile(github, context, path, branch) : undefined;
  if (existing !== undefined && existing.bytes.equals(bytes)) return "unchanged";
  const sha = current?.sha ?? existing?.sha;
  try {
    await github.rest.repos.createOrUpdateFileContents({
      owner: context.owner,
      repo: context.repo,
      path,
      branch,
      message,
      content: Buffer.from(bytes).toString("base64"),
      ...(sha !== undefined ? { sha } : {}),
    });
  } catch (err) {
    if (statusOf(err) !== 409 && statusOf(err) !== 422) throw gitHubFailure(err, `writing ${path} on ${branch}`);
    // The file changed since it was read: a concurrent run (or our own write, whose answer was lost)
    // that wrote the same bytes is success; anything else is not overwritten.
    const now = await readRepositoryFile(github, context, path, branch);
    if (now !== undefined && now.bytes.equals(bytes)) return "unchanged";
    throw new ActionError("REPOSITORY_FILE", `changed on ${branch} while this run wrote it (HTTP ${statusOf(err)}): re-run`, path);
  }
  return "written";
}

/** Creates `branch` at the head of `from` unless it exists. */
export async function ensureBranch(github: GitHub, context: RunContext, branch: string, from: string): Promise<void> {
  try {
    await github.rest.git.getRef({ owner: context.owner, repo: context.repo, ref: `heads/${branch}` });
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw gitHubFailure(err, `reading the branch ${branch}`);
  }
  let sha: string;
  try {
    sha = (await github.rest.git.getRef({ owner: context.owner, repo: context.repo, ref: `heads/${from}` })).data.object.sha;
  } catch (err) {
    throw gitHubFailure(err, `reading the branch ${from}`);
  }
  try {
    await github.rest.git.createRef({ owner: context.owner, repo: context.repo, ref: `refs/heads/${branch}`, sha });
  } catch (err) {
    // 422 "Reference already exists": a concurrent run made it; it is used as it is.
    if (statusOf(err) !== 422) throw gitHubFailure(err, `creating the branch ${branch}`);
  }
}
