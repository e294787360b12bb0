import { validationFailed } from "../errors.js";
import { paginate } from "../pagination.js";
import { pullJson } from "../representations.js";
import { created, jsonBody, optionalString, repositoryRoute, requiredString, stateFilter, type Route } from "../router.js";

const DOCS = "https://docs.github.com/rest/pulls/pulls";

/** A `head` of `owner:branch` or `branch` (same-repository pull requests only), as the branch name. */
function headBranch(head: string, owner: string): string | undefined {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === owner.toLowerCase() ? head.slice(colon + 1) : undefined;
}

/** Pull requests: docs.github.com/rest/pulls/pulls. */
export const pullRoutes: Route[] = [
  // "Create a pull request": `title`, `head`, `base` required; 201 with `Location`. 422 for a head or base that is no
  // branch (errors `{resource: "PullRequest", field: "head"|"base", code: "invalid"}`), for no commits between them,
  // and when one already exists: `{resource: "PullRequest", code: "custom", message: "A pull request already exists for owner:branch."}`.
  repositoryRoute("POST", "/pulls", `${DOCS}#create-a-pull-request`, (context, repository, docs) => {
    const body = jsonBody(context);
    const title = requiredString(body, "title", "PullRequest", docs);
    const head = headBranch(requiredString(body, "head", "PullRequest", docs), repository.owner);
    const base = requiredString(body, "base", "PullRequest", docs);
    const headSha = head === undefined ? undefined : repository.refs.get(`refs/heads/${head}`);
    const baseSha = repository.refs.get(`refs/heads/${base}`);
    if (head === undefined || headSha === undefined) throw validationFailed({ resource: "PullRequest", field: "head", code: "invalid" }, docs);
    if (baseSha === undefined) throw validationFailed({ resource: "PullRequest", field: "base", code: "invalid" }, docs);
    if (repository.pulls.some((pull) => pull.state === "open" && pull.head === head && pull.base === base)) {
      throw validationFailed({ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repository.owner}:${head}.` }, docs);
    }
    if (headSha === baseSha) throw validationFailed({ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }, docs);
    const description = optionalString(body, "body");
    const pull = repository.addPull({ title, head, base, draft: body["draft"] === true, ...(description !== undefined ? { body: description } : {}) });
    return created(pullJson(repository, pull, context.urls));
  }),

  // "List pull requests": `state` open (default) | closed | all; `head` "in the format of user:ref-name or
  // organization:ref-name"; `base`; newest first by default; paginated. A bare branch name as `head` is silently
  // ignored by GitHub (community discussion #24354, PyGithub#1566), so it is here too: clients must add the owner.
  repositoryRoute("GET", "/pulls", `${DOCS}#list-pull-requests`, (context, repository, docs) => {
    const state = stateFilter(context, "PullRequest", docs);
    const headFilter = context.query.get("head");
    const base = context.query.get("base");
    const head = headFilter === null || !headFilter.includes(":") ? null : headBranch(headFilter, repository.owner);
    const pulls = [...repository.pulls].reverse().filter((pull) =>
      (state === "all" || pull.state === state) && (head === null || pull.head === head) && (base === null || pull.base === base));
    return paginate(context, pulls, (pull) => pullJson(repository, pull, context.urls));
  }),
];
