import { join } from "node:path";
import { expect } from "vitest";
import { runCli } from "./cli.js";
import { COMMITTED, ROOT } from "./fixtures.js";
import { tempDir } from "./tlog.js";

/** Oak's real endorsement testdata as `verify endorsement` options, with its key and public-good Rekor's. */
export const OAK_FILES = [
  "--endorsement", join(COMMITTED, "sigstore/oak/endorsement.json"),
  "--signature", join(COMMITTED, "oak/oak_attestation_verification/testdata/endorsement.json.sig"),
  "--log-entry", join(COMMITTED, "sigstore/oak/logentry.json"),
  "--key", join(COMMITTED, "sigstore/oak/endorser_public_key.pem"),
  "--rekor-key", join(COMMITTED, "sigstore/oak/rekor_public_key.pem"),
];

/** The example release's reference values (what the main job endorses). */
export const RELEASE_VALUES = join(ROOT, "reference-values/2026.11.0.json");

/** A command that must succeed quietly; returns its stdout. */
export function ok(args: string[]): string {
  const r = runCli(args);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/**
 * The example release endorsed and published through the CLI: a key per component (and a registry
 * of them), the endorsements, and an embedded log they are published to.
 */
export function publishedRelease(name: string): { work: string; keys: string; registry: string; log: string; rekorKey: string; release: string } {
  const work = tempDir(name);
  const keys = join(work, "keys");
  const registry = join(work, "registry.json");
  const log = join(work, "log");
  const release = join(work, "release");
  ok(["keys", "generate", "--reference-values", RELEASE_VALUES, "--out", keys, "--registry", registry]);
  ok(["endorse", "release", "--reference-values", RELEASE_VALUES, "--key-dir", keys, "--out", release]);
  ok(["publish", "release", "--endorsements", release, "--log", log]);
  return { work, keys, registry, log, rekorKey: join(log, "log-public-key.pem"), release };
}
