import { ApiError, notFound, validationFailed } from "../errors.js";
import { paginate } from "../pagination.js";
import { assetJson, downloadUrl, releaseJson } from "../representations.js";
import { jsonBody, numericParam, optionalString, repositoryOf, requiredString, type RequestContext, type Route } from "../router.js";
import type { Repository } from "../state.js";

const REPO = String.raw`/repos/(?<owner>[^/]+)/(?<repo>[^/]+)`;
const DOCS = "https://docs.github.com/rest/releases/releases";

function releaseOf(context: RequestContext, repository: Repository, docs: string) {
  const release = repository.findRelease(numericParam(context, "release_id"));
  if (!release) throw notFound(docs);
  return release;
}

/** Releases: docs.github.com/rest/releases/releases. */
export const releaseRoutes: Route[] = [
  {
    // "List releases": newest first; "Information about published releases are available to everyone. Only users with push access will receive listings for draft releases."
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/releases$`),
    handle(context) {
      const repository = repositoryOf(context, `${DOCS}#list-releases`);
      const newestFirst = [...repository.releases].reverse();
      return paginate(context, newestFirst, (release) => releaseJson(repository, release, context.urls));
    },
  },
  {
    // "Get a release by tag name": "Get a published release with the specified tag." A draft has no tag yet, so it is not found.
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/releases/tags/(?<tag>.+)$`),
    handle(context) {
      const docs = `${DOCS}#get-a-release-by-tag-name`;
      const repository = repositoryOf(context, docs);
      const release = repository.releases.find((candidate) => candidate.tagName === context.params["tag"] && !candidate.draft);
      if (!release) throw notFound(docs);
      return { status: 200, body: releaseJson(repository, release, context.urls) };
    },
  },
  {
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/releases/(?<release_id>\\d+)$`),
    handle(context) {
      const docs = `${DOCS}#get-a-release`;
      const repository = repositoryOf(context, docs);
      return { status: 200, body: releaseJson(repository, releaseOf(context, repository, docs), context.urls) };
    },
  },
  {
    // "Create a release": 201 with a `Location` header; 422 when the tag already has a release.
    surface: "api",
    method: "POST",
    pattern: new RegExp(`^${REPO}/releases$`),
    handle(context) {
      const docs = `${DOCS}#create-a-release`;
      const repository = repositoryOf(context, docs);
      const body = jsonBody(context);
      const tagName = requiredString(body, "tag_name", "Release", docs);
      if (repository.releases.some((release) => release.tagName === tagName)) {
        throw validationFailed({ resource: "Release", code: "already_exists", field: "tag_name" }, docs);
      }
      const release = repository.addRelease({
        tagName,
        ...(optionalString(body, "name") !== undefined ? { name: optionalString(body, "name")! } : {}),
        ...(optionalString(body, "body") !== undefined ? { body: optionalString(body, "body")! } : {}),
        ...(optionalString(body, "target_commitish") !== undefined ? { targetCommitish: optionalString(body, "target_commitish")! } : {}),
        draft: body["draft"] === true,
        prerelease: body["prerelease"] === true,
      });
      const json = releaseJson(repository, release, context.urls);
      return { status: 201, body: json, headers: { location: String(json["url"]) } };
    },
  },
];

const ASSET_DOCS = "https://docs.github.com/rest/releases/assets";

/** Release assets: docs.github.com/rest/releases/assets. */
export const assetRoutes: Route[] = [
  {
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/releases/(?<release_id>\\d+)/assets$`),
    handle(context) {
      const docs = `${ASSET_DOCS}#list-release-assets`;
      const repository = repositoryOf(context, docs);
      const release = releaseOf(context, repository, docs);
      return paginate(context, release.assets, (asset) => assetJson(repository, release, asset, context.urls));
    },
  },
  {
    // "Upload a release asset", on the uploads host: raw bytes as the body, `name` and `label` in the query,
    // `Content-Type` naming the media type. "If you upload an asset with the same filename as another uploaded asset,
    // you'll receive an error and must delete the old file before you can re-upload the new asset."
    surface: "uploads",
    method: "POST",
    pattern: new RegExp(`^${REPO}/releases/(?<release_id>\\d+)/assets$`),
    handle(context) {
      const docs = `${ASSET_DOCS}#upload-a-release-asset`;
      const repository = repositoryOf(context, docs);
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
    },
  },
  {
    // "Get a release asset": with `Accept: application/octet-stream` "the API will either redirect the client to the
    // location, or stream it directly if possible. API clients should handle both a 200 or 302 response."
    surface: "api",
    method: "GET",
    pattern: new RegExp(`^${REPO}/releases/assets/(?<asset_id>\\d+)$`),
    handle(context) {
      const docs = `${ASSET_DOCS}#get-a-release-asset`;
      const repository = repositoryOf(context, docs);
      const found = repository.findAsset(numericParam(context, "asset_id"));
      if (!found) throw notFound(docs);
      if (!(context.headers.accept ?? "").includes("application/octet-stream")) {
        return { status: 200, body: assetJson(repository, found.release, found.asset, context.urls) };
      }
      if (context.state.assetDownload === "redirect") {
        return { status: 302, headers: { location: downloadUrl(repository, found.release, found.asset, context.urls) } };
      }
      found.asset.downloadCount += 1;
      return { status: 200, body: found.asset.data, headers: { "content-type": "application/octet-stream" } };
    },
  },
  {
    // "Delete a release asset": 204 No Content.
    surface: "api",
    method: "DELETE",
    pattern: new RegExp(`^${REPO}/releases/assets/(?<asset_id>\\d+)$`),
    handle(context) {
      const docs = `${ASSET_DOCS}#delete-a-release-asset`;
      const repository = repositoryOf(context, docs);
      const found = repository.findAsset(numericParam(context, "asset_id"));
      if (!found) throw notFound(docs);
      found.release.assets.splice(found.release.assets.indexOf(found.asset), 1);
      return { status: 204 };
    },
  },
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
