import { ApiError, notFound } from "../errors.js";
import { paginate } from "../pagination.js";
import { commentJson, issueJson, pullAsIssueJson } from "../representations.js";
import { jsonBody, numericParam, optionalString, repositoryOf, requiredString, type RequestContext, type Route } from "../router.js";
import type { Issue, Repository } from "../state.js";

const REPO = String.raw`/repos/(?<owner>[^/]+)/(?<repo>[^/]+)`;
const DOCS = "https://docs.github.com/rest/issues/issues";
const COMMENT_DOCS = "https://docs.github.com/rest/issues/comments";

/** `labels` in a body: "Labels to associate with this issue", each a name or `{name}`. */
function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((label: unknown) =>
    typeof label === "string" ? [label] : typeof label === "object" && label !== null && typeof (label as { name?: unknown }).name === "string" ? [(label as { name: string }).name] : []);
}

function issueOf(context: RequestContext, repository: Repository, docs: string): Issue {
  const issue = repository.issues.find((candidate) => candidate.number === numericParam(context, "issue_number"));
  if (!issue) throw notFound(docs);
  return issue;
}

/** Issues and issue comments: docs.github.com/rest/issues. */
export const issueRoutes: Route[] = [
  {
    // "Create an issue": `title` required, `body`, `labels`; 201 with `Location`.
    surface: "api",
    method: "POST",
    pattern: new RegExp(`^${REPO}/issues$`),
    handle(context) {
      const docs = `${DOCS}#create-an-issue`;
      const repository = repositoryOf(context, docs);
      const body = jsonBody(context);
      const title = requiredString(body, "title", "Issue", docs);
      const description = optionalString(body, "body");
      const issue = repository.addIssue({ title, labels: labelNames(body["labels"]), ...(description !== undefined ? { body: description } : {}) });
      const json = issueJson(repository, issue, context.urls);
      return { status: 201, body: json, headers: { location: String(json["url"]) } };
    },
  },
  {
    // "List repository issues": `state` open (default) | closed | all; `labels` "A list of comma separated label names"
    // (an issue must carry every one); newest first; paginated; pull requests are listed too, with a `pull_request` key.
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/issues$`),
    handle(context) {
      const docs = `${DOCS}#list-repository-issues`;
      const repository = repositoryOf(context, docs);
      const state = context.query.get("state") ?? "open";
      if (!["open", "closed", "all"].includes(state)) throw new ApiError(422, "Validation Failed", docs, [{ resource: "Issue", field: "state", code: "invalid" }]);
      const labels = (context.query.get("labels") ?? "").split(",").map((label) => label.trim()).filter((label) => label !== "");
      const entries = [
        ...repository.issues.map((issue) => ({ number: issue.number, state: issue.state, labels: issue.labels, json: () => issueJson(repository, issue, context.urls) })),
        ...repository.pulls.map((pull) => ({ number: pull.number, state: pull.state, labels: [] as string[], json: () => pullAsIssueJson(repository, pull, context.urls) })),
      ]
        .filter((entry) => (state === "all" || entry.state === state) && labels.every((label) => entry.labels.some((own) => own.toLowerCase() === label.toLowerCase())))
        .sort((a, b) => b.number - a.number);
      return paginate(context, entries, (entry) => entry.json());
    },
  },
  {
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/issues/(?<issue_number>\\d+)$`),
    handle(context) {
      const docs = `${DOCS}#get-an-issue`;
      const repository = repositoryOf(context, docs);
      return { status: 200, body: issueJson(repository, issueOf(context, repository, docs), context.urls) };
    },
  },
  {
    // "Update an issue": `title`, `body`, `state` (open | closed), `labels`.
    surface: "api",
    method: "PATCH",
    pattern: new RegExp(`^${REPO}/issues/(?<issue_number>\\d+)$`),
    handle(context) {
      const docs = `${DOCS}#update-an-issue`;
      const repository = repositoryOf(context, docs);
      const issue = issueOf(context, repository, docs);
      const body = jsonBody(context);
      if (typeof body["title"] === "string") issue.title = body["title"];
      if (typeof body["body"] === "string" || body["body"] === null) issue.body = body["body"];
      if (body["state"] === "open" || body["state"] === "closed") issue.state = body["state"];
      if (Array.isArray(body["labels"])) issue.labels = labelNames(body["labels"]);
      return { status: 200, body: issueJson(repository, issue, context.urls) };
    },
  },
  {
    // "Create an issue comment": `body` required; 201 with `Location`.
    surface: "api",
    method: "POST",
    pattern: new RegExp(`^${REPO}/issues/(?<issue_number>\\d+)/comments$`),
    handle(context) {
      const docs = `${COMMENT_DOCS}#create-an-issue-comment`;
      const repository = repositoryOf(context, docs);
      const issue = issueOf(context, repository, docs);
      const text = requiredString(jsonBody(context), "body", "IssueComment", docs);
      const comment = { id: context.state.nextId(), body: text, createdAt: new Date().toISOString() };
      issue.comments.push(comment);
      const json = commentJson(repository, issue, comment, context.urls);
      return { status: 201, body: json, headers: { location: String(json["url"]) } };
    },
  },
  {
    // "List issue comments": oldest first; paginated.
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/issues/(?<issue_number>\\d+)/comments$`),
    handle(context) {
      const docs = `${COMMENT_DOCS}#list-issue-comments`;
      const repository = repositoryOf(context, docs);
      const issue = issueOf(context, repository, docs);
      return paginate(context, issue.comments, (comment) => commentJson(repository, issue, comment, context.urls));
    },
  },
];
