import { ApiError, notFound } from "../errors.js";
import { repositoryJson } from "../representations.js";
import { created, jsonBody, repositoryRoute, requiredString, type Route, type Urls } from "../router.js";
import type { Repository } from "../state.js";

const REFS_DOCS = "https://docs.github.com/rest/git/refs";

function refJson(repository: Repository, ref: string, sha: string, urls: Urls): Record<string, unknown> {
  return {
    ref,
    node_id: Buffer.from(`Ref:${ref}`).toString("base64"),
    url: `${urls.api}/repos/${repository.fullName}/git/${ref}`,
    object: { type: "commit", sha, url: `${urls.api}/repos/${repository.fullName}/git/commits/${sha}` },
  };
}

/** `GET /repos/{owner}/{repo}` and git references: docs.github.com/rest/repos/repos, docs.github.com/rest/git/refs. */
export const repositoryRoutes: Route[] = [
  repositoryRoute("GET", "", "https://docs.github.com/rest/repos/repos#get-a-repository", (context, repository) =>
    ({ status: 200, body: repositoryJson(repository, context.urls) })),

  // "Get a reference": "The {ref} in the URL must be formatted as heads/<branch name> for branches and tags/<tag name>
  // for tags. If the {ref} doesn't match an existing ref, a 404 is returned."
  repositoryRoute("GET", "/git/ref/(?<ref>.+)", `${REFS_DOCS}#get-a-reference`, (context, repository, docs) => {
    const ref = `refs/${context.params["ref"]}`;
    const sha = repository.refs.get(ref);
    if (!sha) throw notFound(docs);
    return { status: 200, body: refJson(repository, ref, sha, context.urls) };
  }),

  // "Create a reference": `ref` "The name of the fully qualified reference (ie: refs/heads/master). If it doesn't start
  // with 'refs' and have at least two slashes, it will be rejected." 201 with `Location`; 422 for an existing ref
  // (message "Reference already exists") or an unknown sha ("Object does not exist").
  repositoryRoute("POST", "/git/refs", `${REFS_DOCS}#create-a-reference`, (context, repository, docs) => {
    const body = jsonBody(context);
    const ref = requiredString(body, "ref", "Reference", docs);
    const sha = requiredString(body, "sha", "Reference", docs);
    if (!ref.startsWith("refs/") || ref.split("/").length < 3) throw new ApiError(422, "Reference name is invalid", docs);
    if (repository.refs.has(ref)) throw new ApiError(422, "Reference already exists", docs);
    if (!repository.commits.has(sha)) throw new ApiError(422, "Object does not exist", docs);
    repository.refs.set(ref, sha);
    return created(refJson(repository, ref, sha, context.urls));
  }),

  // "Delete a reference": 204; 422 "Reference does not exist" for an unknown ref.
  repositoryRoute("DELETE", "/git/refs/(?<ref>.+)", `${REFS_DOCS}#delete-a-reference`, (context, repository, docs) => {
    if (!repository.refs.delete(`refs/${context.params["ref"]}`)) throw new ApiError(422, "Reference does not exist", docs);
    return { status: 204 };
  }),
];
