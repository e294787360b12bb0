import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { ReleaseFiles } from "../../../src/measure/release.js";
import type { Component, ReleaseManifest } from "../../../src/schema/release-manifest.js";
import { hashFile } from "../../../src/util/hash-file.js";
import { readInput } from "../../../src/util/input-file.js";
import { ActionError } from "../common/errors.js";
import type { GitHub } from "../common/github.js";
import { downloadAsset, type Release } from "../common/releases.js";
import type { RunContext } from "../common/runner.js";

/** The largest component file read (a firmware, kernel or initrd; an artifact may be large). */
const MAX_COMPONENT_BYTES = 2 ** 31;

type FileComponent = Extract<Component, { path: string }>;

/** The release asset that holds a component's file: `asset`, or the file name of its manifest path. */
export function assetNameOf(component: FileComponent): string {
  return component.asset ?? basename(component.path);
}

/**
 * Downloads the asset of every component that has a file into `dir` and answers the manifest's paths
 * with them: the release's own assets are what gets measured, not whatever the checkout holds.
 * Every asset the manifest names must be in the release before anything is downloaded.
 */
export async function downloadReleaseFiles(github: GitHub, context: RunContext, manifest: ReleaseManifest, release: Release, dir: string): Promise<{ files: ReleaseFiles; downloaded: { component: string; asset: string; size: number }[] }> {
  const byPath = new Map<string, string>();
  const wanted = manifest.components.filter((c): c is FileComponent => "path" in c).map((component) => ({ component, name: assetNameOf(component) }));
  const missing = wanted.filter((w) => !release.assets.some((a) => a.name === w.name));
  if (missing.length > 0) {
    throw new ActionError("ASSET_MISSING", `has no asset ${missing.map((m) => `'${m.name}' (component ${m.component.name})`).join(", ")}; its assets: ${release.assets.map((a) => a.name).join(", ") || "none"}`, `release ${release.tag}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const downloaded = [];
  for (const { component, name } of wanted) {
    const asset = release.assets.find((a) => a.name === name)!;
    const path = join(dir, name);
    writeFileSync(path, await downloadAsset(github, context, asset, MAX_COMPONENT_BYTES), { mode: 0o600 });
    byPath.set(component.path, path);
    downloaded.push({ component: component.name, asset: name, size: asset.size });
  }
  const local = (path: string) => {
    const file = byPath.get(path);
    if (file === undefined) throw new ActionError("MANIFEST", "names no release asset", path);
    return file;
  };
  return {
    downloaded,
    files: {
      read: (path) => readInput(local(path), `release asset ${basename(local(path))}`, MAX_COMPONENT_BYTES),
      digest: async (path, algorithms) => {
        const { digests, size } = await hashFile(local(path), algorithms);
        return { digests, size };
      },
    },
  };
}
