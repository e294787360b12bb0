import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS, endorsementPath, type EndorsementFile } from "../../../src/endorse/files.js";
import { readRegularFile } from "../../../src/util/read-file.js";
import { ActionError } from "../common/errors.js";
import type { GitHub } from "../common/github.js";
import { checkAsset, downloadAsset, ensureAsset, type AssetOutcome, type Release } from "../common/releases.js";
import type { RunContext } from "../common/runner.js";

/** The files of a component folder published as release assets, in upload order, with their media types. */
const PUBLISHED: readonly { file: EndorsementFile; type: string }[] = [
  { file: "statement", type: "application/json" },
  { file: "signature", type: "application/octet-stream" },
  { file: "logEntry", type: "application/json" },
  { file: "bundle", type: "application/vnd.dev.sigstore.bundle.v0.3+json" },
];

/** `ovmf.endorsement.json`, …: one release holds every component's files, so each is prefixed with its component. */
export function endorsementAssetName(component: string, file: EndorsementFile): string {
  return `${component}.${ENDORSEMENT_FILES[file]}`;
}

/**
 * GitHub renames asset files with characters it does not keep, and a renamed asset is not found again
 * by a re-run: component names are refused unless GitHub keeps them as they are.
 */
export function checkAssetSafeName(component: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(component) || component.endsWith(".")) {
    throw new ActionError("MANIFEST", "has characters GitHub would rename in a release asset name: use letters, digits, . _ - only", `component '${component}'`);
  }
}

/**
 * Puts into `dir` what an earlier run of this release already uploaded for the component: then
 * endorse keeps that statement (or refuses a different one), publish keeps its log entry, and the
 * upload finds identical assets. A statement without its signature is left out: signing is
 * deterministic, so the statement is signed again into the same bytes.
 */
export async function restorePublished(github: GitHub, context: RunContext, release: Release, component: string, dir: string, publicKeyPem: string): Promise<EndorsementFile[]> {
  const present = (file: EndorsementFile) => release.assets.find((a) => a.name === endorsementAssetName(component, file));
  const files: EndorsementFile[] = present("statement") !== undefined && present("signature") !== undefined ? ["statement", "signature", "logEntry", "bundle"] : ["logEntry", "bundle"];
  const restored: EndorsementFile[] = [];
  for (const file of files) {
    const asset = present(file);
    if (asset === undefined) continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(endorsementPath(dir, file), await downloadAsset(github, context, asset, ENDORSEMENT_FILE_LIMITS[file]));
    restored.push(file);
  }
  if (restored.includes("statement") && !existsSync(endorsementPath(dir, "publicKey"))) writeFileSync(endorsementPath(dir, "publicKey"), publicKeyPem);
  return restored;
}

/** Uploads a published component folder's files (statement, signature, log entry, bundle); identical assets are kept. */
export async function uploadPublished(github: GitHub, context: RunContext, release: Release, component: string, dir: string): Promise<Record<string, AssetOutcome>> {
  const outcomes: Record<string, AssetOutcome> = {};
  for (const { file, type } of PUBLISHED) {
    const name = endorsementAssetName(component, file);
    outcomes[name] = await ensureAsset(github, context, release, name, readRegularFile(join(dir, ENDORSEMENT_FILES[file]), ENDORSEMENT_FILE_LIMITS[file]), type);
  }
  return outcomes;
}

/**
 * Before anything is logged: the statement and signature the release already holds for the component
 * must be the ones just made (signing is deterministic, so a re-run makes the same bytes). Anything
 * else is a conflict, named, found while the log is still untouched.
 */
export async function checkUnpublishedConflicts(github: GitHub, context: RunContext, release: Release, component: string, dir: string): Promise<void> {
  for (const file of ["statement", "signature"] as const) {
    await checkAsset(github, context, release, endorsementAssetName(component, file), readRegularFile(endorsementPath(dir, file), ENDORSEMENT_FILE_LIMITS[file]));
  }
}
