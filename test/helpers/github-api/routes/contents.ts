import { ApiError, notFound } from "../errors.js";
import { jsonBody, optionalString, repositoryRoute, requiredString, type RequestContext, type Route, type Urls } from "../router.js";
import { gitBlobSha, githubTime, type Commit, type Repository } from "../state.js";

const DOCS = "https://docs.github.com/rest/repos/contents";
const ONE_MB = 1024 * 1024;

function fileJson(repository: Repository, path: string, content: Buffer, ref: string, urls: Urls): Record<string, unknown> {
  const sha = gitBlobSha(content);
  const self = `${urls.api}/repos/${repository.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${urls.web}/${repository.fullName}/blob/${ref}/${path}`;
  const git = `${urls.api}/repos/${repository.fullName}/git/blobs/${sha}`;
  return {
    type: "file",
    name: path.split("/").pop(),
    path,
    sha,
    size: content.length,
    url: self,
    html_url: html,
    git_url: git,
    download_url: `${urls.web}/${repository.fullName}/raw/${ref}/${path}`,
    _links: { self, git, html },
  };
}

function commitJson(repository: Repository, commit: Commit, urls: Urls): Record<string, unknown> {
  const now = githubTime();
  const person = { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com", date: now };
  return {
    sha: commit.sha,
    node_id: Buffer.from(`Commit:${commit.sha}`).toString("base64"),
    url: `${urls.api}/repos/${repository.fullName}/git/commits/${commit.sha}`,
    html_url: `${urls.web}/${repository.fullName}/commit/${commit.sha}`,
    author: person,
    committer: person,
    message: commit.message,
    tree: { sha: commit.sha, url: `${urls.api}/repos/${repository.fullName}/git/trees/${commit.sha}` },
    parents: commit.parent ? [{ sha: commit.parent, url: `${urls.api}/repos/${repository.fullName}/git/commits/${commit.parent}`, html_url: `${urls.web}/${repository.fullName}/commit/${commit.parent}` }] : [],
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

/** The branch a write goes to: `branch` in the body, else the default branch; 404 when it does not exist. */
function branchHead(repository: Repository, branch: string, docs: string): string {
  const head = repository.refs.get(`refs/heads/${branch}`);
  // The message is the one API users report for a missing branch; the docs list only the 404 status.
  if (!head) throw new ApiError(404, `Branch ${branch} not found`, docs);
  return head;
}

/**
 * The `sha` rule of "Create or update file contents" and "Delete a file": `sha` is "Required if you are updating a
 * file. The blob SHA of the file being replaced." Observed answers (octokit.rb#992, github-mcp-server#2134,
 * pome-sh/digital-twins#400): existing file without `sha` → 422 `Invalid request.\n\n"sha" wasn't supplied.`;
 * a `sha` that is not the current blob → 409 `{path} does not match {sha}` (the docs list 409 Conflict for both endpoints).
 */
function checkSha(path: string, current: Buffer | undefined, supplied: string | undefined, docs: string): void {
  if (current === undefined) return;
  if (supplied === undefined) throw new ApiError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', docs);
  if (supplied !== gitBlobSha(current)) throw new ApiError(409, `${path} does not match ${supplied}`, docs);
}

function put(context: RequestContext, repository: Repository, docs: string) {
  const path = context.params["path"] ?? "";
  const body = jsonBody(context);
  const message = requiredString(body, "message", "Content", docs);
  const encoded = requiredString(body, "content", "Content", docs);
  const branch = optionalString(body, "branch") ?? repository.defaultBranch;
  const head = branchHead(repository, branch, docs);
  const current = repository.commits.get(head)?.files.get(path);
  checkSha(path, current, optionalString(body, "sha"), docs);
  const content = Buffer.from(encoded, "base64");
  const commit = repository.commit(head, message, { [path]: content });
  repository.refs.set(`refs/heads/${branch}`, commit.sha);
  // 201 Created for a new file, 200 OK for an update.
  return {
    status: current === undefined ? 201 : 200,
    body: { content: fileJson(repository, path, content, branch, context.urls), commit: commitJson(repository, commit, context.urls) },
  };
}

/** Repository contents: docs.github.com/rest/repos/contents. */
export const contentRoutes: Route[] = [
  // "Get repository content": a file as `{type: "file", encoding: "base64", content, sha, …}`, a directory as an array.
  repositoryRoute("GET", "/contents(?:/(?<path>.*))?", `${DOCS}#get-repository-content`, (context, repository, docs) => {
    const ref = context.query.get("ref") ?? repository.defaultBranch;
    const commit = repository.resolve(ref);
    // An unknown ref: "No commit found for the ref {ref}" (404).
    if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`, docs);
    const path = (context.params["path"] ?? "").replace(/\/$/, "");
    const content = commit.files.get(path);
    if (content !== undefined) {
      // "If the requested file's size is: 1 MB or smaller: All features of this endpoint are supported. Between 1-100
      // MB: [...] when using the object media type, the content field will be an empty string and the encoding field
      // will be "none". [...] Greater than 100 MB: This endpoint is not supported."
      if (content.length > 100 * ONE_MB) throw new ApiError(403, "This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.", docs);
      if (content.length > ONE_MB) return { status: 200, body: { ...fileJson(repository, path, content, ref, context.urls), encoding: "none", content: "" } };
      // GitHub breaks the base64 with "\n" every 60 characters, as the documented example response shows.
      const base64 = (content.toString("base64").match(/.{1,60}/g) ?? []).join("\n");
      return { status: 200, body: { ...fileJson(repository, path, content, ref, context.urls), encoding: "base64", content: `${base64}\n` } };
    }
    const prefix = path === "" ? "" : `${path}/`;
    const children = new Map<string, Record<string, unknown>>();
    for (const [filePath, fileContent] of commit.files) {
      if (!filePath.startsWith(prefix)) continue;
      const rest = filePath.slice(prefix.length);
      const name = rest.split("/")[0]!;
      if (rest.includes("/")) children.set(name, { type: "dir", name, path: `${prefix}${name}`, sha: null, size: 0 });
      else children.set(name, fileJson(repository, filePath, fileContent, ref, context.urls));
    }
    if (children.size === 0) throw notFound(docs);
    return { status: 200, body: [...children.values()] };
  }),

  repositoryRoute("PUT", "/contents/(?<path>.+)", `${DOCS}#create-or-update-file-contents`, put),

  // "Get a blob" (docs.github.com/rest/git/blobs): `{content (base64), encoding: "base64", sha, size, url, node_id}`
  // for blobs up to 100 MB; the way to read a file the contents API returns without content.
  repositoryRoute("GET", "/git/blobs/(?<file_sha>[0-9a-f]{40})", "https://docs.github.com/rest/git/blobs#get-a-blob", (context, repository, docs) => {
    const sha = context.params["file_sha"]!;
    for (const commit of repository.commits.values()) {
      for (const content of commit.files.values()) {
        if (gitBlobSha(content) !== sha) continue;
        const base64 = (content.toString("base64").match(/.{1,60}/g) ?? []).join("\n");
        return {
          status: 200,
          body: { sha, node_id: Buffer.from(`Blob:${sha}`).toString("base64"), size: content.length, url: `${context.urls.api}/repos/${repository.fullName}/git/blobs/${sha}`, content: `${base64}\n`, encoding: "base64" },
        };
      }
    }
    throw notFound(docs);
  }),

  // "Delete a file": `message` and `sha` required; 200 with `content: null` and the commit.
  repositoryRoute("DELETE", "/contents/(?<path>.+)", `${DOCS}#delete-a-file`, (context, repository, docs) => {
    const path = context.params["path"] ?? "";
    const body = jsonBody(context);
    const message = requiredString(body, "message", "Content", docs);
    const branch = optionalString(body, "branch") ?? repository.defaultBranch;
    const head = branchHead(repository, branch, docs);
    const current = repository.commits.get(head)?.files.get(path);
    if (current === undefined) throw notFound(docs);
    checkSha(path, current, optionalString(body, "sha"), docs);
    const commit = repository.commit(head, message, { [path]: null });
    repository.refs.set(`refs/heads/${branch}`, commit.sha);
    return { status: 200, body: { content: null, commit: commitJson(repository, commit, context.urls) } };
  }),
];
