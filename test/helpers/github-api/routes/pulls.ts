import { ApiError, validationFailed } from "../errors.js";
import { paginate } from "../pagination.js";
import { pullJson } from "../representations.js";
import { jsonBody, optionalString, repositoryOf, requiredString, type Route } from "../router.js";

const REPO = String.raw`/repos/(?<owner>[^/]+)/(?<repo>[^/]+)`;
const DOCS = "https://docs.github.com/rest/pulls/pulls";

/** A `head` of `owner:branch` or `branch` (same-repository pull requests only), as the branch name. */
function headBranch(head: string, owner: string): string | undefined {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === owner.toLowerCase() ? head.slice(colon + 1) : undefined;
}

/** Pull requests: docs.github.com/rest/pulls/pulls. */
export const pullRoutes: Route[] = [
  {
    // "Create a pull request": `title`, `head`, `base` required; 201 with `Location`. 422 for a head or base that is no
    // branch (errors `{resource: "PullRequest", field: "head"|"base", code: "invalid"}`), for no commits between them,
    // and when one already exists: `{resource: "PullRequest", code: "custom", message: "A pull request already exists for owner:branch."}`.
    surface: "api",
    method: "POST",
    pattern: new RegExp(`^${REPO}/pulls$`),
    handle(context) {
      const docs = `${DOCS}#create-a-pull-request`;
      const repository = repositoryOf(context, docs);
      const body = jsonBody(context);
      const title = requiredString(body, "title", "PullRequest", docs);
      const headParam = requiredString(body, "head", "PullRequest", docs);
      const base = requiredString(body, "base", "PullRequest", docs);
      const head = headBranch(headParam, repository.owner);
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
      const json = pullJson(repository, pull, context.urls);
      return { status: 201, body: json, headers: { location: String(json["url"]) } };
    },
  },
  {
    // "List pull requests": `state` open (default) | closed | all; `head` "in the format of user:ref-name or
    // organization:ref-name"; `base`; newest first by default; paginated. A bare branch name as `head` is silently
    // ignored by GitHub (community discussion #24354, PyGithub#1566), so it is here too: clients must add the owner.
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/pulls$`),
    handle(context) {
      const docs = `${DOCS}#list-pull-requests`;
      const repository = repositoryOf(context, docs);
      const state = context.query.get("state") ?? "open";
      if (!["open", "closed", "all"].includes(state)) throw new ApiError(422, "Validation Failed", docs, [{ resource: "PullRequest", field: "state", code: "invalid" }]);
      const headFilter = context.query.get("head");
      const base = context.query.get("base");
      const head = headFilter === null || !headFilter.includes(":") ? null : headBranch(headFilter, repository.owner);
      const pulls = [...repository.pulls].reverse().filter((pull) =>
        (state === "all" || pull.state === state) && (head === null || pull.head === head) && (base === null || pull.base === base));
      return paginate(context, pulls, (pull) => pullJson(repository, pull, context.urls));
    },
  },
];
