import type { Urls } from "./router.js";
import type { Asset, Issue, IssueComment, PullRequest, Release, Repository } from "./state.js";

/**
 * JSON representations with the field names of GitHub's documented schemas
 * (github/rest-api-description: `release`, `release-asset`, `issue`, `pull-request`, `file-commit`, `git-ref`,
 * `full-repository`, `simple-user`). Only fields a client may reasonably read are filled; node ids are placeholders.
 */

/** The author of everything the workflow token does: GitHub's Actions bot. */
export function actor(urls: Urls): Record<string, unknown> {
  return {
    login: "github-actions[bot]",
    id: 41898282,
    node_id: "MDM6Qm90NDE4OTgyODI=",
    type: "Bot",
    site_admin: false,
    url: `${urls.api}/users/github-actions%5Bbot%5D`,
    html_url: `${urls.web}/apps/github-actions`,
  };
}

const nodeId = (kind: string, id: number) => Buffer.from(`${kind}:${id}`).toString("base64");

export function repositoryJson(repository: Repository, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repository.fullName}`;
  return {
    id: repository.id,
    node_id: nodeId("Repository", repository.id),
    name: repository.name,
    full_name: repository.fullName,
    owner: { login: repository.owner, type: "Organization", url: `${urls.api}/users/${repository.owner}`, html_url: `${urls.web}/${repository.owner}` },
    private: false,
    visibility: "public",
    html_url: `${urls.web}/${repository.fullName}`,
    url: api,
    releases_url: `${api}/releases{/id}`,
    contents_url: `${api}/contents/{+path}`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    default_branch: repository.defaultBranch,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

export function assetJson(repository: Repository, release: Release, asset: Asset, urls: Urls): Record<string, unknown> {
  return {
    url: `${urls.api}/repos/${repository.fullName}/releases/assets/${asset.id}`,
    browser_download_url: downloadUrl(repository, release, asset, urls),
    id: asset.id,
    node_id: nodeId("ReleaseAsset", asset.id),
    name: asset.name,
    label: asset.label,
    state: "uploaded",
    content_type: asset.contentType,
    size: asset.data.length,
    digest: null,
    download_count: asset.downloadCount,
    created_at: asset.createdAt,
    updated_at: asset.updatedAt,
    uploader: actor(urls),
  };
}

/** `https://github.com/{owner}/{repo}/releases/download/{tag}/{name}`, served here by the web surface. */
export function downloadUrl(repository: Repository, release: Release, asset: Asset, urls: Urls): string {
  return `${urls.web}/${repository.fullName}/releases/download/${encodeURIComponent(release.tagName)}/${encodeURIComponent(asset.name)}`;
}

export function releaseJson(repository: Repository, release: Release, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repository.fullName}/releases/${release.id}`;
  return {
    url: api,
    html_url: `${urls.web}/${repository.fullName}/releases/tag/${encodeURIComponent(release.tagName)}`,
    assets_url: `${api}/assets`,
    // A URI template (RFC 6570), as GitHub documents: "upload_url": "https://uploads.github.com/repos/octocat/Hello-World/releases/1/assets{?name,label}".
    upload_url: `${urls.uploads}/repos/${repository.fullName}/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${urls.api}/repos/${repository.fullName}/tarball/${encodeURIComponent(release.tagName)}`,
    zipball_url: `${urls.api}/repos/${repository.fullName}/zipball/${encodeURIComponent(release.tagName)}`,
    id: release.id,
    node_id: nodeId("Release", release.id),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: false,
    created_at: release.createdAt,
    published_at: release.publishedAt,
    author: actor(urls),
    assets: release.assets.map((asset) => assetJson(repository, release, asset, urls)),
  };
}

export function labelJson(repository: Repository, name: string, urls: Urls): Record<string, unknown> {
  return { id: 0, node_id: nodeId("Label", 0), url: `${urls.api}/repos/${repository.fullName}/labels/${encodeURIComponent(name)}`, name, color: "ededed", default: false, description: null };
}

export function issueJson(repository: Repository, issue: Issue, urls: Urls): Record<string, unknown> {
  const api = `${urls.api}/repos/${repository.fullName}/issues/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId("Issue", issue.id),
    url: api,
    repository_url: `${urls.api}/repos/${repository.fullName}`,
    comments_url: `${api}/comments`,
    html_url: `${urls.web}/${repository.fullName}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: null,
    title: issue.title,
    body: issue.body,
    user: actor(urls),
    labels: issue.labels.map((label) => labelJson(repository, label, urls)),
    assignee: null,
    assignees: [],
    locked: false,
    comments: issue.comments.length,
    created_at: issue.createdAt,
    updated_at: issue.createdAt,
    closed_at: null,
    author_association: "NONE",
  };
}

/**
 * A pull request as the issues list shows it: GitHub documents that "GitHub's REST API considers every pull request an
 * issue, but not every issue is a pull request … you can identify pull requests by the `pull_request` key".
 */
export function pullAsIssueJson(repository: Repository, pull: PullRequest, urls: Urls): Record<string, unknown> {
  return {
    id: pull.id,
    node_id: nodeId("Issue", pull.id),
    url: `${urls.api}/repos/${repository.fullName}/issues/${pull.number}`,
    html_url: `${urls.web}/${repository.fullName}/pull/${pull.number}`,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    user: actor(urls),
    labels: [],
    comments: 0,
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    pull_request: { url: `${urls.api}/repos/${repository.fullName}/pulls/${pull.number}`, html_url: `${urls.web}/${repository.fullName}/pull/${pull.number}` },
  };
}

export function pullJson(repository: Repository, pull: PullRequest, urls: Urls): Record<string, unknown> {
  const branchJson = (ref: string) => ({
    label: `${repository.owner}:${ref}`,
    ref,
    sha: repository.refs.get(`refs/heads/${ref}`) ?? null,
    user: { login: repository.owner },
    repo: repositoryJson(repository, urls),
  });
  return {
    id: pull.id,
    node_id: nodeId("PullRequest", pull.id),
    url: `${urls.api}/repos/${repository.fullName}/pulls/${pull.number}`,
    html_url: `${urls.web}/${repository.fullName}/pull/${pull.number}`,
    issue_url: `${urls.api}/repos/${repository.fullName}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: actor(urls),
    labels: [],
    draft: pull.draft,
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    merged_at: null,
    head: branchJson(pull.head),
    base: branchJson(pull.base),
  };
}

export function commentJson(repository: Repository, issue: Issue, comment: IssueComment, urls: Urls): Record<string, unknown> {
  return {
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    url: `${urls.api}/repos/${repository.fullName}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repository.fullName}/issues/${issue.number}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${repository.fullName}/issues/${issue.number}`,
    body: comment.body,
    user: actor(urls),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    author_association: "NONE",
  };
}
