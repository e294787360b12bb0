import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ENDORSEMENT_FILES } from "../../src/endorse/files.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { EmbeddedLog } from "../../src/tlog/embedded/log.js";
import { runAction, type ActionRun } from "../helpers/action-runner.js";
import { runCli } from "../helpers/cli.js";
import { EXAMPLE_COMPONENTS, EXAMPLE_RELEASE_ASSETS } from "../helpers/example-release.js";
import { ROOT, fixturePath } from "../helpers/fixtures.js";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";
import type { Release, Repository } from "../helpers/github-api/state.js";
import { serveLogProcess } from "../helpers/serve.js";
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
const COMPONENTS = EXAMPLE_COMPONENTS;
const FILES = EXAMPLE_RELEASE_ASSETS;

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

  it("a runner killed between logging and uploading: the re-run gets the entries back from the log (409) and finishes", async () => {
    // Through a real `reftrail log serve`: the log is a Rekor v1 server at rekor-url, its key pinned.
    expect(runCli(["log", "init", "--log", logDir]).status).toBe(0);
    const served = await serveLogProcess(logDir);
    cleanup.push(() => served.stop());
    const inputs = { log: "", "rekor-url": served.url, "rekor-key": join(logDir, "log-public-key.pem") };
    server.faults.add({ surface: "uploads", method: "POST", path: /\/assets$/, hang: true });
    const killed = await endorse(inputs, { killWhen: () => server.requests.some((r) => r.surface === "uploads") });
    expect(killed.signal).toBe("SIGKILL");
    expect(logSize()).toBe(COMPONENTS.length);
    expect(endorsementAssets()).toEqual([]);
    server.faults.clear();
    const rerun = await endorse(inputs);
    expect(rerun.errors).toEqual([]);
    expect(rerun.code).toBe(0);
    for (const c of COMPONENTS) expect(rerun.stdout).toContain(`${c}: existing at log index`);
    const entries = JSON.parse(rerun.outputs["log-entries"]!) as { entryUrl: string; entryId: string }[];
    for (const e of entries) expect(e.entryUrl).toBe(`${served.url}/api/v1/log/entries/${e.entryId}`);
    expectEndState();
  });

  it("a 502 on a read is retried; a 500 on an upload fails the run in one line, and the re-run finishes", async () => {
    server.faults.add({ method: "GET", path: /\/releases\/tags\//, status: 502 });
    server.faults.add({ surface: "uploads", method: "POST", path: /\/assets$/, status: 500 });
    const failed = await endorse();
    expect(server.requests.filter((r) => r.method === "GET" && r.path.includes("/releases/tags/")).map((r) => r.status)).toEqual([502, 200]);
    expect(failed.code).toBe(1);
    expect(failed.errors).toHaveLength(1);
    expect(failed.errors[0]).toMatch(/^GitHub API: uploading the release asset ovmf\.endorsement\.json failed \(HTTP 500\)/);
    expect(failed.stderr + failed.stdout).not.toMatch(/\n\s+at /);
    expect(server.faults.pending).toBe(0);
    const rerun = await endorse();
    expect(rerun.errors).toEqual([]);
    expect(rerun.code).toBe(0);
    expectEndState();
  });

  it("a write that times out (applied late, as GitHub may) fails the run; the re-run finds it done", async () => {
    server.faults.add({ method: "PUT", path: /\/contents\//, delayMs: 1500 });
    const failed = await endorse({ timeout: "1" });
    expect(failed.code).toBe(1);
    expect(failed.errors).toEqual(["GitHub API: PUT /repos/{owner}/{repo}/contents/{path}: no answer within 1 s (timed out)"]);
    await sleep(1000);
    const rerun = await endorse();
    expect(rerun.errors).toEqual([]);
    expect(rerun.code).toBe(0);
    expectEndState();
  });

  it("two runs at once end in the state of one: one entry per component, no duplicate asset, one pull request", async () => {
    const runs = await Promise.all([endorse(), endorse()]);
    // Each run either finishes or fails in one line on a race it lost (two log entries with proofs at
    // different tree sizes; a log folder both create): the re-run finishes. release.yml serialises runs per tag.
    for (const run of runs) expect(run.code === 0 || run.errors.length === 1, run.errors.join("; ")).toBe(true);
    if (runs.some((r) => r.code !== 0)) expect((await endorse()).code).toBe(0);
    expectEndState();
  });

  it("an existing asset with other content fails loudly, naming it, before anything is logged", async () => {
    repository.addAsset(release, { name: "linux-cloud.endorsement.json", data: Buffer.from("{}\n") });
    const run = await endorse();
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^release asset linux-cloud\.endorsement\.json: already exists with other content/)]);
    expect(logSize()).toBe(0);
    expect(repository.pulls).toEqual([]);
    expect(endorsementAssets()).toEqual(["linux-cloud.endorsement.json"]);
  });

  it("other reference values for the tag on the default branch fail the run before anything is logged", async () => {
    const seeded = server.state.addRepository({ owner: OWNER, name: "seeded", defaultBranch: "main", files: { [`reference-values/${TAG}.json`]: "{}\n" } });
    const seededRelease = seeded.addRelease({ tagName: TAG });
    for (const [name, path] of Object.entries(FILES)) seeded.addAsset(seededRelease, { name, data: Buffer.from(readFileSync(fixturePath(path))) });
    const run = await runAction("endorse", {
      inputs: { manifest: "examples/release-manifest.json", log: logDir, tag: TAG },
      workspace,
      repository: `${OWNER}/seeded`,
      apiUrl: server.api,
      token: TOKEN,
      env: keyEnv(),
    });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([`reference-values/${TAG}.json: on main differs from what release ${TAG} measures now; refusing to replace published reference values`]);
    expect(logSize()).toBe(0);
    expect(seededRelease.assets).toHaveLength(Object.keys(FILES).length);
  });

  it("dry-run measures and signs in the runner's temporary folder and changes nothing anywhere", async () => {
    const refs = [...repository.refs];
    const assets = assetNames();
    const run = await endorse({ "dry-run": "true" });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(existsSync(logDir)).toBe(false);
    expect(assetNames()).toEqual(assets);
    expect([...repository.refs]).toEqual(refs);
    expect(repository.pulls).toEqual([]);
    expect(server.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(run.outputs["log-entries"]).toBe("[]");
    expect(run.outputs["reference-values"]!.startsWith(run.temp)).toBe(true);
    expect(ReferenceValues.parse(JSON.parse(readFileSync(run.outputs["reference-values"]!, "utf8"))).components).toHaveLength(COMPONENTS.length);
    expect(run.summary).toContain("Dry run");
    // The signed statements are there to inspect, next to the reference values.
    const endorsed = readdirSync(run.temp).find((d) => d.startsWith("reftrail-endorse-"))!;
    for (const c of COMPONENTS) expect(existsSync(join(run.temp, endorsed, "endorsements", c, "endorsement.json.sig"))).toBe(true);
  });

  it("pull-request false commits the reference values to the default branch, once", async () => {
    expect((await endorse({ "pull-request": "false" })).code).toBe(0);
    const committed = repository.fileAt(`reference-values/${TAG}.json`);
    expect(committed).toBeDefined();
    const head = repository.refs.get("refs/heads/main");
    const rerun = await endorse({ "pull-request": "false" });
    expect(rerun.code).toBe(0);
    expect(repository.refs.get("refs/heads/main")).toBe(head);
    expect([...repository.refs.keys()]).toEqual(["refs/heads/main"]);
    expect(repository.pulls).toEqual([]);
    expect(rerun.summary).toContain("already on main");
  });

  it("refuses bad inputs in one line, naming the input, before any request", async () => {
    const cases: [Record<string, string>, Record<string, string> | undefined, RegExp][] = [
      [{ "dry-run": "yes" }, undefined, /^input 'dry-run': 'yes' is not a boolean/],
      [{ tag: "" }, undefined, /^input 'tag': is required when the workflow is not triggered by a release event$/],
      [{ tag: "../x" }, undefined, /^input 'tag': '\.\.\/x' is not a tag/],
      [{ manifest: "missing.json" }, undefined, /^input 'manifest' .*missing\.json/],
      [{ "valid-days": "0" }, undefined, /^input 'valid-days': '0' is not a whole number from 1/],
      [{}, { REFTRAIL_KEY_OVMF: "" }, /^\$REFTRAIL_KEY_OVMF: environment variable REFTRAIL_KEY_OVMF is not set$/],
      [{}, { REFTRAIL_KEY_INITRD: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }, /^\$REFTRAIL_KEY_INITRD: /],
    ];
    for (const [inputs, env, message] of cases) {
      const run = await endorse(inputs, env ? { env } : {});
      expect(run.code, JSON.stringify(inputs)).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(message);
    }
    expect(server.requests).toEqual([]);
  });

  it("a rate limit (403 with retry-after) on a read is sat out; the tag may be given as refs/tags/TAG", async () => {
    server.faults.add({ method: "GET", path: /\/releases\/tags\//, status: 403, headers: { "retry-after": "1", "x-ratelimit-remaining": "0" } });
    const run = await endorse({ tag: `refs/tags/${TAG}` });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(server.requests.filter((r) => r.path.includes("/releases/tags/")).map((r) => r.status)).toEqual([403, 200]);
    expectEndState();
  });

  it("a manifest asset the release lacks is named before anything is downloaded", async () => {
    const ovmf = release.assets.findIndex((a) => a.name === "OVMF.fd");
    release.assets.splice(ovmf, 1);
    const run = await endorse();
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/^release 2026\.11\.0: has no asset 'OVMF\.fd' \(component ovmf\); its assets: filler-000\.txt, /);
    expect(server.requests.filter((r) => /\/releases\/assets\/\d+$/.test(r.path))).toEqual([]);
  });

  it("a tag with no release is named (GitHub's 404)", async () => {
    const run = await endorse({ tag: "2099.1.0" });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([`input 'tag': ${OWNER}/${REPO} has no release with the tag '2099.1.0' (a draft has none until it is published)`]);
  });

  it("private keys reach no log line, output, summary, asset, repository file or file outside the runner's temp", async () => {
    const runs = [await endorse(), await endorse(), await endorse({ "dry-run": "true" })];
    server.faults.add({ surface: "uploads", method: "POST", path: /\/assets$/, status: 500 });
    runs.push(await endorse({ tag: TAG, log: join(scratch("log2-"), "log") }));
    const secrets = [...keys.values()].flatMap((k) => {
      const d = Buffer.from((k.privateKey.export({ format: "jwk" }) as { d: string }).d, "base64url");
      const body = k.pem.split("\n").filter((l) => l && !l.startsWith("-----"));
      return [d.toString("hex"), d.toString("base64"), d.toString("base64url"), ...body];
    });
    const haystacks: [string, string][] = [];
    for (const run of runs) {
      haystacks.push(["stdout", run.stdout], ["stderr", run.stderr], ["summary", run.summary], ["outputs", JSON.stringify(run.outputs)]);
    }
    for (const a of release.assets) haystacks.push([`asset ${a.name}`, a.data.toString("latin1")]);
    for (const p of repository.pulls) haystacks.push([`pull ${p.number}`, `${p.title}\n${p.body}`]);
    for (const ref of repository.refs.keys()) {
      const branch = ref.replace(/^refs\/heads\//, "");
      for (const path of [`reference-values/${TAG}.json`, "README.md"]) haystacks.push([`${branch}:${path}`, repository.fileAt(path, branch)?.toString("latin1") ?? ""]);
    }
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
    for (const file of [...walk(workspace), ...walk(join(logDir, ".."))]) haystacks.push([file, readFileSync(file).toString("latin1")]);
    for (const [where, text] of haystacks) for (const secret of secrets) expect(text.includes(secret), `${where} holds key material`).toBe(false);
    // Not even as `::add-mask::` (the runner masks the secrets it passes; the command would print the key on stdout).
    for (const run of runs) expect(run.masks).toEqual([]);
  });
});
