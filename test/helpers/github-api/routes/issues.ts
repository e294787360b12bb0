import { notFound } from "../errors.js";
import { paginate } from "../pagination.js";
import { commentJson, issueJson, pullAsIssueJson } from "../representations.js";
import { created, jsonBody, numericParam, optionalString, repositoryRoute, requiredString, stateFilter, type RequestContext, type Route } from "../router.js";
import { githubTime, type Issue, type Repository } from "../state.js";

const DOCS = "https://docs.github.com/rest/issues/issues";
const COMMENT_DOCS = "https://docs.github.com/rest/issues/comments";
const ISSUE = "/issues/(?<issue_number>\\d+)";

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
  // "Create an issue": `title` required, `body`, `labels`; 201 with `Location`.
  repositoryRoute("POST", "/issues", `${DOCS}#create-an-issue`, (context, repository, docs) => {
    const body = jsonBody(context);
    const title = requiredString(body, "title", "Issue", docs);
    const description = optionalString(body, "body");
    const issue = repository.addIssue({ title, labels: labelNames(body["labels"]), ...(description !== undefined ? { body: description } : {}) });
    return created(issueJson(repository, issue, context.urls));
  }),

  // "List repository issues": `state` open (default) | closed | all; `labels` "A list of comma separated label names"
  // (an issue must carry every one); newest first; paginated; pull requests are listed too, with a `pull_request` key.
  repositoryRoute("GET", "/issues", `${DOCS}#list-repository-issues`, (context, repository, docs) => {
    const state = stateFilter(context, "Issue", docs);
    const labels = (context.query.get("labels") ?? "").split(",").map((label) => label.trim()).filter((label) => label !== "");
    const entries = [
      ...repository.issues.map((issue) => ({ number: issue.number, state: issue.state, labels: issue.labels, json: () => issueJson(repository, issue, context.urls) })),
      ...repository.pulls.map((pull) => ({ number: pull.number, state: pull.state, labels: [] as string[], json: () => pullAsIssueJson(repository, pull, context.urls) })),
    ]
      .filter((entry) => (state === "all" || entry.state === state) && labels.every((label) => entry.labels.some((own) => own.toLowerCase() === label.toLowerCase())))
      .sort((a, b) => b.number - a.number);
    return paginate(context, entries, (entry) => entry.json());
  }),

  repositoryRoute("GET", ISSUE, `${DOCS}#get-an-issue`, (context, repository, docs) =>
    ({ status: 200, body: issueJson(repository, issueOf(context, repository, docs), context.urls) })),

  // "Update an issue": `title`, `body`, `state` (open | closed), `labels`.
  repositoryRoute("PATCH", ISSUE, `${DOCS}#update-an-issue`, (context, repository, docs) => {
    const issue = issueOf(context, repository, docs);
    const body = jsonBody(context);
    if (typeof body["title"] === "string") issue.title = body["title"];
    if (typeof body["body"] === "string" || body["body"] === null) issue.body = body["body"];
    if (body["state"] === "open" || body["state"] === "closed") issue.state = body["state"];
    if (Array.isArray(body["labels"])) issue.labels = labelNames(body["labels"]);
    return { status: 200, body: issueJson(repository, issue, context.urls) };
  }),

  // "Create an issue comment": `body` required; 201 with `Location`.
  repositoryRoute("POST", `${ISSUE}/comments`, `${COMMENT_DOCS}#create-an-issue-comment`, (context, repository, docs) => {
    const issue = issueOf(context, repository, docs);
    const text = requiredString(jsonBody(context), "body", "IssueComment", docs);
    const comment = { id: context.state.nextId(), body: text, createdAt: githubTime() };
    issue.comments.push(comment);
    return created(commentJson(repository, issue, comment, context.urls));
  }),

  // "List issue comments": oldest first; paginated.
  repositoryRoute("GET", `${ISSUE}/comments`, `${COMMENT_DOCS}#list-issue-comments`, (context, repository, docs) => {
    const issue = issueOf(context, repository, docs);
    return paginate(context, issue.comments, (comment) => commentJson(repository, issue, comment, context.urls));
  }),
];
