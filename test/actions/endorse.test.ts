import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ENDORSEMENT_FILES } from "../../src/endorse/files.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { EmbeddedLog } from "../../src/tlog/embedded/log.js";
import { runAction, type ActionRun } from "../helpers/action-runner.js";
import { runCli } from "../helpers/cli.js";
import { ROOT, fixturePath } from "../helpers/fixtures.js";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";
import type { Release, Repository } from "../helpers/github-api/state.js";
import { scratchSpace } from "../helpers/tlog.js";
import { readTsv } from "../helpers/tsv.js";

/**
 * actions/endorse, its committed bundle run as the runner runs it, against the local GitHub REST server
 * and an embedded log. The example release (Debian OVMF, kernel, initrd, command line, OVMF_VARS) is
 * attached to a GitHub release as assets; expected values come from the assets themselves (their
 * SHA-256), from sev-snp-measure's oracle rows, and from `reftrail verify release` over the uploaded assets.
 */

const TOKEN = "ghs_endorse_test_token";
const OWNER = "acme";
const REPO = "firmware";
const TAG = "2026.11.0";
const COMPONENTS = ["ovmf", "linux-cloud", "initrd", "cmdline", "ovmf-vars"] as const;
const FILES: Record<string, string> = {
  "OVMF.fd": "firmware/OVMF.fd",
  "vmlinuz-6.1.0-56-cloud-amd64": "kernel/vmlinuz-6.1.0-56-cloud-amd64",
  "initrd.img": "kernel/initrd.img",
  "OVMF_VARS.fd": "firmware/OVMF_VARS.fd",
};

const { cleanup, scratch } = scratchSpace();
let server: GitHubApiServer;
let repository: Repository;
let release: Release;
let workspace: string;
let logDir: string;
let keys: Map<string, { privateKey: KeyObject; pem: string; publicPem: string; keyId: string }>;

function keyEnv(): Record<string, string> {
  return Object.fromEntries([...keys].map(([name, k]) => [`REFTRAIL_KEY_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`, k.pem]));
}

function endorse(inputs: Record<string, string> = {}, extra: { env?: Record<string, string>; killWhen?: () => boolean; event?: boolean } = {}): Promise<ActionRun> {
  return runAction("endorse", {
    inputs: { manifest: "examples/release-manifest.json", log: logDir, ...(extra.event ? {} : { tag: TAG }), ...inputs },
    workspace,
    repository: `${OWNER}/${REPO}`,
    apiUrl: server.api,
    token: TOKEN,
    env: { ...keyEnv(), ...extra.env },
    ...(extra.event ? { event: { name: "release", payload: { action: "published", release: { tag_name: TAG, id: release.id } } } } : {}),
    ...(extra.killWhen ? { killWhen: extra.killWhen } : {}),
  });
}

const assetNames = () => release.assets.map((a) => a.name).sort();
const endorsementAssets = () => assetNames().filter((n) => !(n in FILES) && !n.startsWith("filler-"));
const logSize = () => {
  if (!existsSync(join(logDir, "log.db"))) return 0;
  const log = EmbeddedLog.open(logDir);
  try {
    return log.current().size;
  } finally {
    log.close();
  }
};
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The endorsement assets of the release, written out as `verify release` reads component folders. */
function downloadedEndorsements(): string {
  const dir = scratch("downloaded-");
  for (const component of COMPONENTS) {
    mkdirSync(join(dir, component));
    for (const file of ["statement", "signature", "logEntry", "bundle"] as const) {
      const asset = release.assets.find((a) => a.name === `${component}.${ENDORSEMENT_FILES[file]}`);
      if (asset) writeFileSync(join(dir, component, ENDORSEMENT_FILES[file]), asset.data);
    }
    writeFileSync(join(dir, component, ENDORSEMENT_FILES.publicKey), keys.get(component)!.publicPem);
  }
  return dir;
}

function registryFile(): string {
  const path = join(scratch("registry-"), "registry.json");
  const components = Object.fromEntries(
    [...keys].map(([name, k]) => [name, [{ keyId: k.keyId, publicKey: k.publicPem, validFor: { start: "2020-01-01T00:00:00Z" } }]]),
  );
  writeFileSync(path, JSON.stringify({ version: 1, components }));
  return path;
}

/** What a complete, correct run leaves: checked against the assets, the oracle and `verify release`. */
function expectEndState(): void {
  expect(logSize()).toBe(COMPONENTS.length);
  expect(endorsementAssets()).toEqual(COMPONENTS.flatMap((c) => ["statement", "signature", "logEntry", "bundle"].map((f) => `${c}.${ENDORSEMENT_FILES[f as keyof typeof ENDORSEMENT_FILES]}`)).sort());
  expect(repository.pulls).toHaveLength(1);
  const pull = repository.pulls[0]!;
  expect(pull.head).toBe(`reftrail/reference-values/${TAG}`);
  const proposed = repository.fileAt(`reference-values/${TAG}.json`, pull.head);
  expect(proposed).toBeDefined();
  const values = ReferenceValues.parse(JSON.parse(proposed!.toString("utf8")));
  expect(values.release.version).toBe(TAG);
  // Each file component's digest is the SHA-256 of the asset GitHub holds.
  for (const c of values.components) {
    if (c.kind === "cmdline") continue;
    const assetName = Object.keys(FILES).find((n) => FILES[n]!.endsWith(c.subject.name))!;
    expect(c.subject.digest["sha256"]).toBe(sha256(release.assets.find((a) => a.name === assetName)!.data));
  }
  // A launch digest sev-snp-measure printed for the Debian OVMF.
  const row = readTsv("launch-digests/oracle-visible.tsv").find((r) => r["mode"] === "snp" && r["vcpus"] === "4" && r["vcpu_type"] === "EPYC-Milan" && r["vmm_type"] === "QEMU" && r["guest_features"] === "0x1" && r["kernel_sha256"] === "-")!;
  const firmware = values.components.find((c) => c.kind === "firmware")!;
  const config = firmware.kind === "firmware" ? firmware.launchDigests.find((d) => d.mode === "snp" && d.vmmType === "QEMU" && d.vcpuType === "EPYC-Milan" && d.guestFeatures === "0x1") : undefined;
  expect(config && config.mode === "snp" ? config.digests["4"] : undefined).toBe(row["expected_digest_hex"]);
  // The uploaded endorsements verify as a release, with reftrail's own verifier, against the proposed values.
  const valuesFile = join(scratch("values-"), "values.json");
  writeFileSync(valuesFile, proposed!);
  const verified = runCli(["verify", "release", "--endorsements", downloadedEndorsements(), "--reference-values", valuesFile, "--key-registry", registryFile(), "--rekor-key", join(logDir, "log-public-key.pem"), "--json"]);
  expect(verified.stderr).toBe("");
  expect(verified.status).toBe(0);
  expect((JSON.parse(verified.stdout) as { verified: boolean }).verified).toBe(true);
}

beforeEach(() => {
  keys = new Map(
    COMPONENTS.map((c) => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      return [c, { privateKey, pem: privateKey.export({ type: "pkcs8", format: "pem" }) as string, publicPem: publicKey.export({ type: "spki", format: "pem" }) as string, keyId: sha256(publicKey.export({ type: "spki", format: "der" })) }];
    }),
  );
});

beforeEach(async () => {
  server = await startGitHubApi({ token: TOKEN });
  repository = server.state.addRepository({ owner: OWNER, name: REPO, defaultBranch: "main", files: { "README.md": "firmware\n" } });
  release = repository.addRelease({ tagName: TAG });
  // More assets than one page of 100: the Action must page through the listing to find its files.
  for (let i = 0; i < 120; i++) repository.addAsset(release, { name: `filler-${String(i).padStart(3, "0")}.txt`, data: Buffer.from(`filler ${i}\n`) });
  for (const [name, path] of Object.entries(FILES)) repository.addAsset(release, { name, data: Buffer.from(readFileSync(fixturePath(path))) });
  workspace = scratch("workspace-");
  mkdirSync(join(workspace, "examples"));
  cpSync(join(ROOT, "examples/release-manifest.json"), join(workspace, "examples/release-manifest.json"));
  logDir = join(scratch("log-"), "log");
});

afterEach(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
  for (const fn of cleanup.splice(0)) await fn();
});

describe("actions/endorse", () => {
  it("endorses the release of the triggering event: logs, uploads, proposes, summarises", async () => {
    const run = await endorse({}, { event: true });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expectEndState();
    const entries = JSON.parse(run.outputs["log-entries"]!) as { component: string; logIndex: number; entryId: string; entryUrl: string | null }[];
    expect(entries.map((e) => e.component)).toEqual([...COMPONENTS]);
    expect(entries.map((e) => e.logIndex).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const e of entries) expect(e.entryId).toMatch(/^[0-9a-f]{64,80}$/);
    expect(readFileSync(run.outputs["reference-values"]!)).toEqual(repository.fileAt(`reference-values/${TAG}.json`, `reftrail/reference-values/${TAG}`));
    for (const c of COMPONENTS) expect(run.summary).toContain(`<td>${c}</td>`);
    expect(run.summary).toContain("launch digests");
    expect(run.summary).toContain(readTsv("launch-digests/oracle-visible.tsv").find((r) => r["vcpus"] === "1" && r["vcpu_type"] === "EPYC-Milan" && r["kernel_sha256"] === "-")!["expected_digest_hex"]);
  });

  it("re-run: no second log entry, no duplicate asset, no second pull request", async () => {
    expect((await endorse()).code).toBe(0);
    const assetsBefore = release.assets.map((a) => [a.name, sha256(a.data)]);
    const rerun = await endorse();
    expect(rerun.errors).toEqual([]);
    expect(rerun.code).toBe(0);
    expect(release.assets.map((a) => [a.name, sha256(a.data)])).toEqual(assetsBefore);
    expectEndState();
    expect(rerun.stdout).toMatch(/ovmf: unchanged at log index/);
    expect(rerun.summary).toContain("0 uploaded, 20 already there");
    expect(rerun.summary).toContain("opened by an earlier run");
  });
});
