import { createPrivateKey, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

/**
 * Nothing reaches an append-only log that reftrail's own verifier would reject (issue 10): before,
 * such entries were appended first and publish failed afterwards, leaving permanent entries that
 * can never verify and a folder that can never be completed.
 */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");

function ok(args: readonly string[], cwd?: string): string {
  const r = runCli(args, cwd ? { cwd } : {});
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Keys and a signed, unpublished `cmdline` endorsement. */
function signed(name: string, endorseArgs: readonly string[] = []) {
  const work = tempDir(name);
  const keys = join(work, "keys");
  const out = join(work, "endorsements");
  const registry = join(work, "registry.json");
  ok(["keys", "generate", "--component", "cmdline,initrd", "--out", keys, "--registry", registry]);
  const r = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, ...endorseArgs]);
  expect(r.status).toBe(0);
  return { work, keys, out, registry, dir: join(out, "cmdline"), log: join(work, "log") };
}

/** Replaces the statement with `text`, signed properly by the component's own key. */
function resign(dir: string, keys: string, text: string | Buffer, component = "cmdline"): void {
  const key = createPrivateKey(readFileSync(join(keys, `${component}.private.pem`)));
  writeFileSync(join(dir, "endorsement.json"), text);
  writeFileSync(join(dir, "endorsement.json.sig"), sign("sha256", Buffer.from(text), key));
}

/** The embedded log's size (0 when publish never created it). */
function logSize(log: string): number {
  if (!existsSync(join(log, "log.db"))) return 0;
  const info = runCli(["log", "info", "--log", log, "--json"]);
  return (JSON.parse(info.stdout) as { treeSize: number }).treeSize;
}

function refusedUnlogged(t: { out: string; log: string }, message: RegExp, extra: readonly string[] = []): void {
  const r = runCli(["publish", "release", "--endorsements", t.out, "--log", t.log, ...extra]);
  expect(r.stderr).toMatch(message);
  expect(r.status).toBe(2);
  expect(r.stderr.split("\n")).toHaveLength(2);
  expect(logSize(t.log)).toBe(0);
  expect(readdirSync(join(t.out, "cmdline")).sort()).toEqual(["endorsement.json", "endorsement.json.sig", "public_key.pem"]);
}

describe("publish refuses, before logging, what the verifier would reject", () => {
  it("a statement the verifier's strict JSON reader refuses: a repeated key, __proto__, a byte-order mark", () => {
    const t = signed("publish-strict");
    const text = readFileSync(join(t.dir, "endorsement.json"), "utf8");
    const variants = [
      text.replace('"_type": "https://in-toto.io/Statement/v1",', '"_type": "https://in-toto.io/Statement/v1",\n  "_type": "https://in-toto.io/Statement/v1",'),
      text.replace('"predicate": {', '"predicate": {\n    "__proto__": {},'),
      `\ufeff${text}`,
    ];
    for (const variant of variants) {
      resign(t.dir, t.keys, variant);
      refusedUnlogged(t, /^reftrail: error: component cmdline \(.*endorsement\.json\): STATEMENT_TYPE: the statement (repeats the key '_type'|uses the key '__proto__'|starts with a byte-order mark).*: refusing to log an endorsement that cannot verify\n$/);
    }
  });

  it("a statement not valid at the publication time", () => {
    const t = signed("publish-validity", ["--issued-on", "2099-01-01T00:00:00Z", "--allow-inactive"]);
    refusedUnlogged(t, /VALIDITY: not yet valid at .*\(notBefore 2099-01-01T00:00:00Z\)/);
    const expired = signed("publish-expired", ["--issued-on", "2020-01-01T00:00:00Z", "--not-after", "2020-12-31T00:00:00Z", "--allow-inactive"]);
    refusedUnlogged(expired, /VALIDITY: expired at .*\(notAfter 2020-12-31T00:00:00Z\)/);
  });

  it("a statement larger than a verifier reads", () => {
    const t = signed("publish-size");
    const statement = JSON.parse(readFileSync(join(t.dir, "endorsement.json"), "utf8")) as { predicate: { claims: { type: string }[] } };
    statement.predicate.claims = Array.from({ length: 170_000 }, (_, i) => ({ type: `https://example.com/claim/${i}/${"x".repeat(64)}` }));
    resign(t.dir, t.keys, `${JSON.stringify(statement, null, 2)}\n`);
    refusedUnlogged(t, /endorsement\.json\): is [0-9]+ bytes, more than the 16777216 this input may have\n$/);
  });

  it("with --key-registry: a key not registered for the component, or not for now", () => {
    const t = signed("publish-registry");
    // initrd's key signs cmdline's endorsement (its public_key.pem says so too: it verifies without a registry).
    resign(t.dir, t.keys, readFileSync(join(t.dir, "endorsement.json")), "initrd");
    writeFileSync(join(t.dir, "public_key.pem"), readFileSync(join(t.keys, "initrd.public.pem")));
    refusedUnlogged(t, /STATEMENT_SIGNATURE: the signature is not a DER ECDSA P-256 signature over the statement bytes by the key from .*registry\.json:cmdline/, ["--key-registry", t.registry]);
    const revoked = signed("publish-revoked");
    ok(["keys", "register", "--registry", revoked.registry, "--component", "cmdline", "--key", join(revoked.keys, "cmdline.public.pem"), "--start", "2020-01-01", "--end", "2021-01-01"]);
    refusedUnlogged(revoked, /KEY_VALIDITY: to be logged at .*, outside key [0-9a-f]{64}'s validity 2020-01-01T00:00:00Z \.\. 2021-01-01T00:00:00Z/, ["--key-registry", revoked.registry]);
  });

  it("an endorsement in a folder named after another component (verify release: RELEASE_FOLDER)", () => {
    const t = signed("publish-folder");
    renameSync(t.dir, join(t.out, "initrd"));
    const r = runCli(["publish", "release", "--endorsements", t.out, "--log", t.log]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/endorses 'cmdline' but sits in the folder 'initrd' \(verify release would fail RELEASE_FOLDER\): refusing to log it\n$/);
    expect(logSize(t.log)).toBe(0);
  });

  it("a sound endorsement is still logged, and verifies", () => {
    const t = signed("publish-sound");
    const report = JSON.parse(ok(["publish", "release", "--endorsements", t.out, "--log", t.log, "--key-registry", t.registry, "--json"])) as { published: { status: string }[] };
    expect(report.published.map((p) => p.status)).toEqual(["logged"]);
    expect(runCli(["verify", "release", "--endorsements", t.out, "--key-registry", t.registry, "--rekor-key", join(t.log, "log-public-key.pem")]).status).toBe(0);
  });
});

describe("a published folder's bundle is rebuilt when it does not parse or verify", () => {
  it("publish rewrites a corrupt or foreign endorsement.sigstore.json from logentry.json; verify then passes", () => {
    const t = signed("publish-bundle");
    ok(["publish", "release", "--endorsements", t.out, "--log", t.log]);
    const bundle = join(t.dir, "endorsement.sigstore.json");
    const good = readFileSync(bundle, "utf8");
    for (const bad of ["{ not json", good.replace(/"signature": "[^"]+"/, '"signature": "MEUCIQ=="'), "{}"]) {
      writeFileSync(bundle, bad);
      const report = JSON.parse(ok(["publish", "release", "--endorsements", t.out, "--log", t.log, "--json"])) as { published: { status: string; bundle: string }[] };
      expect(report.published).toMatchObject([{ status: "unchanged", bundle: "written" }]);
      expect(readFileSync(bundle, "utf8")).toBe(good);
    }
    const again = JSON.parse(ok(["publish", "release", "--endorsements", t.out, "--log", t.log, "--json"])) as { published: { bundle: string }[] };
    expect(again.published[0]!.bundle).toBe("kept");
    expect(logSize(t.log)).toBe(1);
  });
});

describe("publish's own options", () => {
  it("without a log option says it created a new embedded log, and where", () => {
    const t = signed("publish-default-log");
    const cwd = join(t.work, "cwd");
    mkdirSync(cwd);
    const first = ok(["publish", "release", "--endorsements", t.out], cwd);
    expect(first.split("\n")[0]).toMatch(/^created a new embedded log reftrail\.local - [0-9]+ in \.reftrail\/log \(its key: \.reftrail\/log\/log-public-key\.pem\)$/);
    expect(existsSync(join(cwd, ".reftrail/log/log.db"))).toBe(true);
    expect(ok(["publish", "release", "--endorsements", t.out], cwd)).not.toContain("created");
  });

  it("--rekor-key given a private key is refused before anything is sent", () => {
    const t = signed("publish-private-rekor-key");
    const r = runCli(["publish", "release", "--endorsements", t.out, "--rekor-url", "http://127.0.0.1:9", "--rekor-key", join(t.keys, "cmdline.private.pem"), "--retries", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`reftrail: error: --rekor-key ${join(t.keys, "cmdline.private.pem")}: holds a private key: give the log's public key (one PEM block labelled PUBLIC KEY)\n`);
  });

  it("credentials in --rekor-url are sent as Basic authorization and never echoed", async () => {
    const t = signed("publish-credentials");
    ok(["log", "init", "--log", t.log]);
    const publicKey = readFileSync(join(t.log, "log-public-key.pem"), "utf8");
    const seen: (string | undefined)[] = [];
    // A server that serves its key (so publish trusts it, with a warning) and refuses every entry.
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === "/api/v1/log/publicKey") res.end(publicKey);
      else res.writeHead(400, { "content-type": "application/json" }).end('{"code":400,"message":"no"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runCliAsync(["publish", "release", "--endorsements", t.out, "--rekor-url", `http://alice:s3cret-token@127.0.0.1:${port}/`, "--retries", "0"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`reftrail: warning: trusting the public key http://127.0.0.1:${port} serves`);
      expect(`${r.stdout}${r.stderr}`).not.toContain("s3cret-token");
      expect(seen[0]).toBe(`Basic ${Buffer.from("alice:s3cret-token").toString("base64")}`);
    } finally {
      server.close();
    }
  });

  it("a --log that is a file is a one-line error naming it", () => {
    const t = signed("publish-log-file");
    writeFileSync(t.log, "not a folder");
    const r = runCli(["publish", "release", "--endorsements", t.out, "--log", t.log]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/^reftrail: error: --log .*log: /);
    expect(r.stderr).not.toContain("internal error");
  });

  it("--timeout 0 is a usage error", () => {
    const r = runCli(["publish", "release", "--endorsements", "x", "--rekor-url", "http://127.0.0.1:9", "--timeout", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("reftrail: error: --timeout: must be at least 1 second\n");
  });
});
