import { createHash } from "node:crypto";
import type { ReleasedStatements } from "../../../src/audit/monitor/released.js";
import { MAX_STATEMENT_BYTES } from "../../../src/schema/endorsement.js";
import { ActionError } from "../common/errors.js";
import type { GitHub } from "../common/github.js";
import { gitHubFailure } from "../common/github.js";
import { downloadAsset, type ReleaseAsset } from "../common/releases.js";
import type { RunContext } from "../common/runner.js";

/** The statement asset the endorse Action attaches per component (`<component>.endorsement.json`). */
const STATEMENT_ASSET = /^[A-Za-z0-9][A-Za-z0-9._-]*\.endorsement\.json$/;

export interface ReleaseStatementAssets extends ReleasedStatements {
  /** Asset id -> SHA-256 of every statement asset listed now: the cache the state keeps. */
  readonly hashes: Readonly<Record<string, string>>;
  readonly releases: number;
  readonly assets: number;
  /** Assets downloaded in this run (the others' hashes came from the cache). */
  readonly downloaded: number;
}

/**
 * The statements of every published release of the repository (drafts are not released), found by
 * content hash. Each asset is hashed once ever: its hash is kept by asset id (an asset's bytes never
 * change under its id; replacing one makes a new id). A statement whose hash matches an entry is
 * downloaded again only if this run did not download it, and must hash the same.
 */
export async function releaseStatementAssets(github: GitHub, context: RunContext, cache: Readonly<Record<string, string>>): Promise<ReleaseStatementAssets> {
  let releases;
  try {
    releases = await github.paginate(github.rest.repos.listReleases, { owner: context.owner, repo: context.repo, per_page: 100 });
  } catch (err) {
    throw gitHubFailure(err, "listing the releases");
  }
  const byHash = new Map<string, { asset: ReleaseAsset; tag: string }>();
  const bytesByHash = new Map<string, Uint8Array>();
  const hashes: Record<string, string> = {};
  let assets = 0;
  let downloaded = 0;
  const published = releases.filter((r) => !r.draft);
  for (const release of published) {
    for (const a of release.assets) {
      if (!STATEMENT_ASSET.test(a.name)) continue;
      assets++;
      const asset: ReleaseAsset = { id: a.id, name: a.name, size: a.size };
      const id = String(a.id);
      let hash = Object.hasOwn(cache, id) ? cache[id] : undefined;
      if (hash === undefined) {
        const bytes = await downloadAsset(github, context, asset, MAX_STATEMENT_BYTES);
        downloaded++;
        hash = createHash("sha256").update(bytes).digest("hex");
        bytesByHash.set(hash, bytes);
      }
      hashes[id] = hash;
      byHash.set(hash, { asset, tag: release.tag_name });
    }
  }
  return {
    hashes,
    releases: published.length,
    assets,
    downloaded,
    async find(sha256) {
      const found = byHash.get(sha256);
      if (found === undefined) return undefined;
      const source = `release ${found.tag} asset ${found.asset.name}`;
      let bytes = bytesByHash.get(sha256);
      if (bytes === undefined) {
        bytes = await downloadAsset(github, context, found.asset, MAX_STATEMENT_BYTES);
        if (createHash("sha256").update(bytes).digest("hex") !== sha256) throw new ActionError("ASSET_CHANGED", "no longer holds the bytes it was hashed as in an earlier run; remove its id from statementAssets in the monitor state to hash it again", source);
        bytesByHash.set(sha256, bytes);
      }
      return { bytes, source };
    },
  };
}
