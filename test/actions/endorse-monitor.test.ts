import { createHash, generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashedRekordFor } from "../../src/endorse/publish.js";
import { signStatement } from "../../src/endorse/sign.js";
import { signableStatement } from "../../src/endorse/statement.js";
import { keyIdOf, publicKeyPem } from "../../src/keys/component-keys.js";
import { RekorClient } from "../../src/tlog/client.js";
import { EmbeddedLog } from "../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { runAction, type ActionRun } from "../helpers/action-runner.js";
import { ROOT, fixturePath } from "../helpers/fixtures.js";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";
import type { Repository } from "../helpers/github-api/state.js";
import { scratchSpace } from "../helpers/tlog.js";
import { EXAMPLE_COMPONENTS as COMPONENTS, EXAMPLE_RELEASE_ASSETS as FILES } from "../helpers/example-release.js";

/**
 * The two Actions together, as a project runs them: actions/endorse on a release (its reference values
 * proposed in a pull request, not merged yet), then actions/monitor on schedule. The monitor accepts
 * exactly what endorse produced, before and after the proposal is merged, and reports the one entry a
 * holder of the firmware key logs beside it.
 */

const TOKEN = "ghs_endorse_monitor_token";
const TAG = "2026.11.0";
const { cleanup, scratch } = scratchSpace();
let server: GitHubApiServer;
let repository: Repository;
let workspace: string;
let logDir: string;
const keys = new Map(COMPONENTS.map((c) => [c, generateKeyPairSync("ec", { namedCurve: "P-256" })]));

function run(action: "endorse" | "monitor", inputs: Record<string, string>): Promise<ActionRun> {
  const env = Object.fromEntries([...keys].map(([c, k]) => [`REFTRAIL_KEY_${c.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`, k.privateKey.export({ type: "pkcs8", format: "pem" }) as string]));
  return runAction(action, { inputs: { log: logDir, ...inputs }, workspace, repository: "acme/firmware", apiUrl: server.api, token: TOKEN, ...(action === "endorse" ? { env } : {}) });
}
const monitor = () => run("monitor", { "key-registry": "registry.json" });
const issues = () => repository.issues.filter((i) => i.labels.includes("reftrail-monitor"));

beforeAll(async () => {
  server = await startGitHubApi({ token: TOKEN });
  cleanup.push(() => server.close());
  repository = server.state.addRepository({ owner: "acme", name: "firmware", files: { "README.md": "firmware\n" } });
  const release = repository.addRelease({ tagName: TAG });
  for (const [name, path] of Object.entries(FILES)) repository.addAsset(release, { name, data: Buffer.from(readFileSync(fixturePath(path))) });
  workspace = scratch("workspace-");
  mkdirSync(join(workspace, "examples"));
  cpSync(join(ROOT, "examples/release-manifest.json"), join(workspace, "examples/release-manifest.json"));
  const components = Object.fromEntries([...keys].map(([c, k]) => [c, [{ keyId: keyIdOf(k.publicKey), publicKey: publicKeyPem(k.publicKey), validFor: { start: "2020-01-01T00:00:00Z" } }]]));
  writeFileSync(join(workspace, "registry.json"), JSON.stringify({ version: 1, components }));
  logDir = join(scratch("log-"), "log");
});

afterAll(() => expect(server.internalErrors).toEqual([]));

describe("actions/endorse then actions/monitor", () => {
  it("what endorse logged and attached is released, before and after its proposal is merged", async () => {
    const endorsed = await run("endorse", { manifest: "examples/release-manifest.json", tag: TAG, "key-registry": "registry.json" });
    expect(endorsed.errors).toEqual([]);
    expect(endorsed.code).toBe(0);
    const proposed = repository.fileAt(`reference-values/${TAG}.json`, `reftrail/reference-values/${TAG}`)!;
    expect(repository.fileAt(`reference-values/${TAG}.json`)).toBeUndefined();

    const before = await monitor();
    expect(before.errors).toEqual([]);
    expect(before.outputs).toEqual({ problems: "0", entries: String(COMPONENTS.length), "tree-size": String(COMPONENTS.length) });
    expect(issues()).toEqual([]);

    const head = repository.refs.get("refs/heads/main")!;
    repository.refs.set("refs/heads/main", repository.commit(head, "merge the proposal", { [`reference-values/${TAG}.json`]: proposed }).sha);
    const after = await monitor();
    expect(after.errors).toEqual([]);
    expect(after.outputs).toEqual({ problems: "0", entries: "0", "tree-size": String(COMPONENTS.length) });
  });

  it("an endorsement of other firmware signed with the ovmf key, logged by whoever holds it: one issue", async () => {
    const key = keys.get("ovmf")!;
    const now = BigInt(Date.now()) * 1_000_000n;
    const digest = createHash("sha256").update("backdoored firmware").digest("hex");
    const { bytes } = signableStatement(
      { name: "debian-bookworm-cloud-example", version: TAG },
      { kind: "artifact", name: "ovmf", version: "evil", claims: [], subject: { name: "OVMF.fd", digest: { sha256: digest } }, size: 1 },
      { issuedOn: now, notBefore: now, notAfter: now + 86_400_000_000_000n },
    );
    const log = EmbeddedLog.open(logDir);
    try {
      await new RekorClient(inProcessTransport(log)).createEntry(hashedRekordFor({ statement: bytes, signature: signStatement(bytes, key.privateKey, key.publicKey), publicKeyPem: publicKeyPem(key.publicKey) }));
    } finally {
      log.close();
    }
    const run = await monitor();
    expect(run.errors).toEqual([]);
    expect(run.outputs["problems"]).toBe("1");
    expect(issues()).toHaveLength(1);
    expect(issues()[0]!.title).toContain("ovmf");
    expect(issues()[0]!.body).toContain(createHash("sha256").update(bytes).digest("hex"));
  });
});
