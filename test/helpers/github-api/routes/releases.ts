import { ApiError, notFound, validationFailed } from "../errors.js";
import { paginate } from "../pagination.js";
import { assetJson, downloadUrl, releaseJson } from "../representations.js";
import { created, jsonBody, numericParam, optionalString, repositoryRoute, requiredString, type RequestContext, type Route } from "../router.js";
import { githubTime, type Release, type Repository } from "../state.js";

const DOCS = "https://docs.github.com/rest/releases/releases";
const ASSET_DOCS = "https://docs.github.com/rest/releases/assets";

function releaseOf(context: RequestContext, repository: Repository, docs: string): Release {
  const release = repository.findRelease(numericParam(context, "release_id"));
  if (!release) throw notFound(docs);
  return release;
}

function assetOf(context: RequestContext, repository: Repository, docs: string) {
  const found = repository.findAsset(numericParam(context, "asset_id"));
  if (!found) throw notFound(docs);
  return found;
}

/** Releases: docs.github.com/rest/releases/releases. */
export const releaseRoutes: Route[] = [
  // "List releases": newest first, paginated.
  repositoryRoute("GET", "/releases", `${DOCS}#list-releases`, (context, repository) =>
    paginate(context, [...repository.releases].reverse(), (release) => releaseJson(repository, release, context.urls))),

  // "Get a release by tag name": "Get a published release with the specified tag." A draft has no tag yet, so it is not found.
  repositoryRoute("GET", "/releases/tags/(?<tag>.+)", `${DOCS}#get-a-release-by-tag-name`, (context, repository, docs) => {
    const release = repository.releases.find((candidate) => candidate.tagName === context.params["tag"] && !candidate.draft);
    if (!release) throw notFound(docs);
    return { status: 200, body: releaseJson(repository, release, context.urls) };
  }),

  // "Get the latest release": "The latest release is the most recent non-prerelease, non-draft release, sorted by the
  // created_at attribute."
  repositoryRoute("GET", "/releases/latest", `${DOCS}#get-the-latest-release`, (context, repository, docs) => {
    const release = repository.releases.filter((candidate) => !candidate.draft && !candidate.prerelease).at(-1);
    if (!release) throw notFound(docs);
    return { status: 200, body: releaseJson(repository, release, context.urls) };
  }),

  repositoryRoute("GET", "/releases/(?<release_id>\\d+)", `${DOCS}#get-a-release`, (context, repository, docs) =>
    ({ status: 200, body: releaseJson(repository, releaseOf(context, repository, docs), context.urls) })),

  // "Update a release": any of `tag_name`, `target_commitish`, `name`, `body`, `draft`, `prerelease`.
  repositoryRoute("PATCH", "/releases/(?<release_id>\\d+)", `${DOCS}#update-a-release`, (context, repository, docs) => {
    const release = releaseOf(context, repository, docs);
    const body = jsonBody(context);
    release.tagName = optionalString(body, "tag_name") ?? release.tagName;
    release.targetCommitish = optionalString(body, "target_commitish") ?? release.targetCommitish;
    release.name = optionalString(body, "name") ?? release.name;
    release.body = optionalString(body, "body") ?? release.body;
    if (typeof body["prerelease"] === "boolean") release.prerelease = body["prerelease"];
    if (typeof body["draft"] === "boolean") {
      release.draft = body["draft"];
      release.publishedAt = release.draft ? null : (release.publishedAt ?? githubTime());
    }
    return { status: 200, body: releaseJson(repository, release, context.urls) };
  }),

  // "Create a release": 201 with a `Location` header; 422 when the tag already has a release.
  repositoryRoute("POST", "/releases", `${DOCS}#create-a-release`, (context, repository, docs) => {
    const body = jsonBody(context);
    const tagName = requiredString(body, "tag_name", "Release", docs);
    if (repository.releases.some((release) => release.tagName === tagName)) {
      throw validationFailed({ resource: "Release", code: "already_exists", field: "tag_name" }, docs);
    }
    const [name, text, target] = [optionalString(body, "name"), optionalString(body, "body"), optionalString(body, "target_commitish")];
    const release = repository.addRelease({
      tagName,
      ...(name !== undefined ? { name } : {}),
      ...(text !== undefined ? { body: text } : {}),
      ...(target !== undefined ? { targetCommitish: target } : {}),
      draft: body["draft"] === true,
      prerelease: body["prerelease"] === true,
    });
    return created(releaseJson(repository, release, context.urls));
  }),
];

/** Release assets: docs.github.com/rest/releases/assets. */
export const assetRoutes: Route[] = [
  repositoryRoute("GET", "/releases/(?<release_id>\\d+)/assets", `${ASSET_DOCS}#list-release-assets`, (context, repository, docs) => {
    const release = releaseOf(context, repository, docs);
    return paginate(context, release.assets, (asset) => assetJson(repository, release, asset, context.urls));
  }),

  // "Upload a release asset", on the uploads host: raw bytes as the body, `name` and `label` in the query,
  // `Content-Type` naming the media type. "If you upload an asset with the same filename as another uploaded asset,
  // you'll receive an error and must delete the old file before you can re-upload the new asset."
  repositoryRoute("POST", "/releases/(?<release_id>\\d+)/assets", `${ASSET_DOCS}#upload-a-release-asset`, (context, repository, docs) => {
    const release = releaseOf(context, repository, docs);
    const name = context.query.get("name");
    if (!name) throw validationFailed({ resource: "ReleaseAsset", code: "missing_field", field: "name" }, docs);
    if (release.assets.some((asset) => asset.name === name)) {
      throw validationFailed({ resource: "ReleaseAsset", code: "already_exists", field: "name" }, docs);
    }
    const label = context.query.get("label");
    const asset = repository.addAsset(release, {
      name,
      data: context.body,
      contentType: context.headers["content-type"] ?? "application/octet-stream",
      ...(label ? { label } : {}),
    });
    return { status: 201, body: assetJson(repository, release, asset, context.urls) };
  }, "uploads"),

  // "Get a release asset": with `Accept: application/octet-stream` "the API will either redirect the client to the
  // location, or stream it directly if possible. API clients should handle both a 200 or 302 response."
  repositoryRoute("GET", "/releases/assets/(?<asset_id>\\d+)", `${ASSET_DOCS}#get-a-release-asset`, (context, repository, docs) => {
    const { release, asset } = assetOf(context, repository, docs);
    if (!(context.headers.accept ?? "").includes("application/octet-stream")) {
      return { status: 200, body: assetJson(repository, release, asset, context.urls) };
    }
    if (context.state.assetDownload === "redirect") return { status: 302, headers: { location: downloadUrl(repository, release, asset, context.urls) } };
    asset.downloadCount += 1;
    return { status: 200, body: asset.data, headers: { "content-type": "application/octet-stream" } };
  }),

  // "Delete a release asset": 204 No Content.
  repositoryRoute("DELETE", "/releases/assets/(?<asset_id>\\d+)", `${ASSET_DOCS}#delete-a-release-asset`, (context, repository, docs) => {
    const { release, asset } = assetOf(context, repository, docs);
    release.assets.splice(release.assets.indexOf(asset), 1);
    return { status: 204 };
  }),

  {
    // `browser_download_url` on the web host: the bytes, no API authentication (the repository is public).
    surface: "web",
    method: "GET",
    pattern: /^\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/releases\/download\/(?<tag>[^/]+)\/(?<name>[^/]+)$/,
    handle(context) {
      const repository = context.state.repository(context.params["owner"] ?? "", context.params["repo"] ?? "");
      const release = repository?.releases.find((candidate) => candidate.tagName === context.params["tag"]);
      const asset = release?.assets.find((candidate) => candidate.name === context.params["name"]);
      if (!asset) throw new ApiError(404, "Not Found");
      asset.downloadCount += 1;
      return { status: 200, body: asset.data, headers: { "content-type": "application/octet-stream" } };
    },
  },
];
