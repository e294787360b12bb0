import type { GitHub } from "./github.js";
import { gitHubFailure, statusOf } from "./github.js";
import type { RunContext } from "./runner.js";
import { ActionError } from "./errors.js";

export interface ReleaseAsset {
  readonly id: number;
  readonly name: string;
  readonly size: number;
}

export interface Release {
  readonly id: number;
  readonly tag: string;
  /** When the release was created (ISO 8601): fixed for the release, so endorsements signed from it are reproducible. */
  readonly createdAt: string;
  readonly uploadUrl: string;
  readonly htmlUrl: string;
  readonly assets: ReleaseAsset[];
}

/** The release with this tag and every one of its assets (paginated); a missing release is named. */
export async function releaseByTag(github: GitHub, context: RunContext, tag: string): Promise<Release> {
  let data;
  try {
    ({ data } = await github.rest.repos.getReleaseByTag({ owner: context.owner, repo: context.repo, tag }));
  } catch (err) {
    if (statusOf(err) === 404) throw new ActionError("RELEASE_MISSING", `${context.owner}/${context.repo} has no release with the tag '${tag}' (a draft has none until it is published)`, "input 'tag'");
    throw gitHubFailure(err, `reading the release '${tag}'`);
  }
  return { id: data.id, tag: data.tag_name, createdAt: data.created_at, uploadUrl: data.upload_url, htmlUrl: data.html_url, assets: await listAssets(github, context, data.id) };
}

export async function listAssets(github: GitHub, context: RunContext, releaseId: number): Promise<ReleaseAsset[]> {
  try {
    const assets = await github.paginate(github.rest.repos.listReleaseAssets, { owner: context.owner, repo: context.repo, release_id: releaseId, per_page: 100 });
    return assets.map((a) => ({ id: a.id, name: a.name, size: a.size }));
  } catch (err) {
    throw gitHubFailure(err, `listing the assets of release ${releaseId}`);
  }
}

/** An asset's bytes (GitHub answers `Accept: application/octet-stream` with the file, or a redirect to it). */
export async function downloadAsset(github: GitHub, context: RunContext, asset: ReleaseAsset, maxBytes: number): Promise<Uint8Array> {
  if (asset.size > maxBytes) throw new ActionError("ASSET_TOO_LARGE", `is ${asset.size} bytes, more than the ${maxBytes} read`, `release asset ${asset.name}`);
  let data: unknown;
  try {
    ({ data } = await github.rest.repos.getReleaseAsset({ owner: context.owner, repo: context.repo, asset_id: asset.id, headers: { accept: "application/octet-stream" } }));
  } catch (err) {
    throw gitHubFailure(err, `downloading the release asset ${asset.name}`);
  }
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : typeof data === "string" ? Buffer.from(data, "utf8") : undefined;
  if (bytes === undefined) throw new ActionError("GITHUB_API", "came back in no binary form", `release asset ${asset.name}`);
  if (bytes.byteLength !== asset.size) throw new ActionError("ASSET_TRUNCATED", `came back with ${bytes.byteLength} bytes, the release lists ${asset.size}`, `release asset ${asset.name}`);
  return bytes;
}

export type AssetOutcome = "uploaded" | "kept";

/**
 * Makes `name` an asset of the release holding exactly `bytes`. An asset of that name holding the same
 * bytes is kept (a re-run); one holding anything else is a conflict, named, and never replaced: an
 * endorsement asset others may have downloaded must not change under them.
 */
export async function ensureAsset(github: GitHub, context: RunContext, release: Release, name: string, bytes: Uint8Array, contentType: string): Promise<AssetOutcome> {
  const existing = release.assets.find((a) => a.name === name);
  if (existing !== undefined) return keepIdentical(github, context, existing, bytes);
  try {
    const { data } = await github.rest.repos.uploadReleaseAsset({
      owner: context.owner,
      repo: context.repo,
      release_id: release.id,
      url: release.uploadUrl,
      name,
      // Octokit types `data` as a string; it sends a Buffer's bytes unchanged.
      data: Buffer.from(bytes) as unknown as string,
      headers: { "content-type": contentType, "content-length": bytes.byteLength },
    });
    release.assets.push({ id: data.id, name: data.name, size: data.size });
    return "uploaded";
  } catch (err) {
    // 422: an asset of that name appeared since the listing (another run, or a lost answer to our own upload).
    if (statusOf(err) !== 422) throw gitHubFailure(err, `uploading the release asset ${name}`);
  }
  const now = await listAssets(github, context, release.id);
  release.assets.splice(0, release.assets.length, ...now);
  const appeared = now.find((a) => a.name === name);
  if (appeared === undefined) throw new ActionError("GITHUB_API", "was refused (422) but is not among the release's assets", `release asset ${name}`);
  return keepIdentical(github, context, appeared, bytes);
}

/** Whether the release already holds `name` with exactly `bytes` ("absent" if it has no such asset); other bytes are a conflict, thrown. */
export async function checkAsset(github: GitHub, context: RunContext, release: Release, name: string, bytes: Uint8Array): Promise<"absent" | "kept"> {
  const existing = release.assets.find((a) => a.name === name);
  return existing === undefined ? "absent" : keepIdentical(github, context, existing, bytes);
}

async function keepIdentical(github: GitHub, context: RunContext, asset: ReleaseAsset, bytes: Uint8Array): Promise<"kept"> {
  if (asset.size === bytes.byteLength && Buffer.from(await downloadAsset(github, context, asset, bytes.byteLength)).equals(bytes)) return "kept";
  throw new ActionError(
    "ASSET_CONFLICT",
    `already exists with other content (${asset.size} bytes); refusing to replace it: delete it from the release if it was never used, then re-run`,
    `release asset ${asset.name}`,
  );
}
