import { chmodSync, cpSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { Verifier, toSignedEntity, toTrustMaterial } from "@sigstore/verify";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { ROOT } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const COMPONENTS = ["cmdline", "initrd", "linux-cloud", "ovmf", "ovmf-vars"];

function ok(args: string[], env?: NodeJS.ProcessEnv): string {
  const r = runCli(args, env ? { env } : {});
  expect(r.stderr.replace(/^\+.*\n/gm, "")).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("keys, endorse, publish, verify through the CLI (embedded log, no network)", () => {
  const work = tempDir("cli-endorse");
  const keys = join(work, "keys");
  const registry = join(work, "registry.json");
  const out = join(work, "endorsements");
  const log = join(work, "log");

  it("generates one key per component; private keys 0600 in a 0700 folder, never printed", () => {
    const report = JSON.parse(ok(["keys", "generate", "--reference-values", VALUES, "--out", keys, "--registry", registry, "--json"])) as { keys: { component: string; keyId: string }[] };
    expect(report.keys.map((k) => k.component).sort()).toEqual(COMPONENTS);
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    for (const c of COMPONENTS) {
      expect(statSync(join(keys, `${c}.private.pem`)).mode & 0o777).toBe(0o600);
      const secret = readFileSync(join(keys, `${c}.private.pem`), "utf8").split("\n")[1]!;
      expect(JSON.stringify(report)).not.toContain(secret);
    }
    expect(Object.keys((JSON.parse(readFileSync(registry, "utf8")) as { components: object }).components).sort()).toEqual(COMPONENTS);
    // A second run without --keep-existing must not replace a key.
    expectRejected(runCli(["keys", "generate", "--component", "ovmf", "--out", keys]), "exists");
    expect(JSON.parse(ok(["keys", "generate", "--component", "ovmf", "--out", keys, "--keep-existing", "--json"])).keys[0].status).toBe("kept");
  });

  it("endorses every component; a re-run re-signs nothing", () => {
    const first = JSON.parse(ok(["endorse", "release", "--reference-values", VALUES, "--key-dir", keys, "--out", out, "--json"])) as { endorsements: { status: string }[] };
    expect(first.endorsements.map((e) => e.status)).toEqual(COMPONENTS.map(() => "signed"));
    const before = readFileSync(join(out, "ovmf/endorsement.json.sig"));
    const second = JSON.parse(ok(["endorse", "release", "--reference-values", VALUES, "--key-dir", keys, "--out", out, "--json", "--issued-on", "2030-01-01T00:00:00Z"])) as { endorsements: { status: string }[] };
    expect(second.endorsements.map((e) => e.status)).toEqual(COMPONENTS.map(() => "unchanged"));
    expect(readFileSync(join(out, "ovmf/endorsement.json.sig")).equals(before)).toBe(true);
    expect(readdirSync(out).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("publishes to the embedded log, idempotently", () => {
    const first = JSON.parse(ok(["publish", "release", "--endorsements", out, "--log", log, "--json"])) as { published: { status: string; logIndex: number }[] };
    expect(first.published.map((p) => p.status)).toEqual(COMPONENTS.map(() => "logged"));
    const second = JSON.parse(ok(["publish", "release", "--endorsements", out, "--log", log, "--json"])) as { published: { status: string }[] };
    expect(second.published.map((p) => p.status)).toEqual(COMPONENTS.map(() => "unchanged"));
    expect(JSON.parse(ok(["log", "info", "--log", log, "--json"])).treeSize).toBe(COMPONENTS.length);
  });

  it("verifies each component three ways, and the whole release against the registry", () => {
    const rekorKey = join(log, "log-public-key.pem");
    const dir = join(out, "linux-cloud");
    const common = ["--key", join(dir, "public_key.pem"), "--rekor-key", rekorKey, "--rekor-name", "reftrail.local"];
    ok(["verify", "endorsement", "--dir", dir, ...common]);
    ok(["verify", "endorsement", "--endorsement", join(dir, "endorsement.json"), "--signature", join(dir, "endorsement.json.sig"), "--log-entry", join(dir, "logentry.json"), ...common]);
    ok(["verify", "endorsement", "--endorsement", join(dir, "endorsement.json"), "--bundle", join(dir, "endorsement.sigstore.json"), ...common, "--component", "linux-cloud"]);
    const report = JSON.parse(ok(["verify", "release", "--endorsements", out, "--reference-values", VALUES, "--key-registry", registry, "--rekor-key", rekorKey, "--json"])) as { verified: boolean };
    expect(report.verified).toBe(true);
    // The wrong component's key, or another component name, is caught.
    const wrongKey = runCli(["verify", "endorsement", "--dir", dir, "--key", join(out, "ovmf/public_key.pem"), "--rekor-key", rekorKey]);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toContain("STATEMENT_SIGNATURE");
    const wrongName = runCli(["verify", "endorsement", "--dir", dir, "--key-registry", registry, "--component", "ovmf", "--rekor-key", rekorKey]);
    expect(wrongName.status).toBe(1);
  });

  it("standard Sigstore tooling (@sigstore/verify) accepts the bundles with the log's trusted root", () => {
    const rootFile = join(work, "trusted_root.json");
    ok(["log", "trusted-root", "--log", log, "--out", rootFile]);
    const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(rootFile, "utf8")));
    for (const c of COMPONENTS) {
      const dir = join(out, c);
      const key = createPublicKey(readFileSync(join(dir, "public_key.pem")));
      const verifier = new Verifier(toTrustMaterial(root, () => ({ publicKey: key, validFor: () => true })), { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
      const bundle = bundleFromJSON(JSON.parse(readFileSync(join(dir, "endorsement.sigstore.json"), "utf8")));
      expect(() => verifier.verify(toSignedEntity(bundle, readFileSync(join(dir, "endorsement.json"))))).not.toThrow();
      expect(() => verifier.verify(toSignedEntity(bundle, Buffer.concat([readFileSync(join(dir, "endorsement.json")), Buffer.from(" ")])))).toThrow();
    }
  });

  it("one tampered component fails verify release (exit 1) and is named; the others still verify", () => {
    const copy = join(tempDir("cli-endorse-tamper"), "endorsements");
    cpSync(out, copy, { recursive: true });
    const statement = join(copy, "initrd/endorsement.json");
    writeFileSync(statement, readFileSync(statement, "utf8").replace('"issuedOn": "', '"issuedOn": "1'));
    const r = runCli(["verify", "release", "--endorsements", copy, "--key-registry", registry, "--rekor-key", join(log, "log-public-key.pem"), "--json"]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { components: { folder: string; verdict: { verified: boolean; failure?: { check: string } } }[] };
    const byFolder = Object.fromEntries(report.components.map((c) => [c.folder, c.verdict]));
    expect(byFolder["initrd"]?.failure?.check).toBe("STATEMENT_SIGNATURE");
    expect(COMPONENTS.filter((c) => c !== "initrd").every((c) => byFolder[c]?.verified)).toBe(true);
    expect(r.stderr).toContain("initrd");
  });
});

describe("verify release binds the folders into one release", () => {
  const work = tempDir("cli-release-binding");
  const keys = join(work, "keys");
  const registry = join(work, "registry.json");
  const log = join(work, "log");
  const rekorKey = join(log, "log-public-key.pem");
  // A second release: same components, another version, another command line.
  const nextValues = join(work, "next.json");
  const next = JSON.parse(readFileSync(VALUES, "utf8")) as { release: { version: string }; components: { name: string; cmdline?: { value: string } }[] };
  next.release.version = "2026.12.0";
  next.components.find((c) => c.name === "cmdline")!.cmdline!.value += " init=/bin/sh";
  writeFileSync(nextValues, JSON.stringify(next));
  const release = (values: string, out: string) => {
    ok(["endorse", "release", "--reference-values", values, "--key-dir", keys, "--out", out]);
    ok(["publish", "release", "--endorsements", out, "--log", log]);
    return out;
  };
  const verify = (dir: string, values?: string) =>
    runCli(["verify", "release", "--endorsements", dir, ...(values ? ["--reference-values", values] : []), "--key-registry", registry, "--rekor-key", rekorKey, "--json"]);
  type Report = { verified: boolean; release: { check: string; folder?: string }[]; components: { folder: string; error?: { code: string } }[] };
  const mix = (parts: Record<string, string>) => {
    const dir = join(tempDir("cli-release-mix"), "release");
    for (const [folder, source] of Object.entries(parts)) cpSync(source, join(dir, folder), { recursive: true });
    return dir;
  };
  ok(["keys", "generate", "--reference-values", VALUES, "--out", keys, "--registry", registry]);
  const first = release(VALUES, join(work, "2026.11.0"));
  const second = release(nextValues, join(work, "2026.12.0"));

  it("each release verifies alone, and against its own reference values only", () => {
    expect(verify(first, VALUES).status).toBe(0);
    expect(verify(second, nextValues).status).toBe(0);
    const wrong = verify(first, nextValues);
    expect(wrong.status).toBe(1);
    const report = JSON.parse(wrong.stdout) as Report;
    expect(report.release.map((p) => p.check)).toEqual(expect.arrayContaining(["RELEASE_MIXED", "RELEASE_VALUES"]));
    expect(report.release.find((p) => p.check === "RELEASE_VALUES")?.folder).toBe("cmdline");
  });

  it("components from two releases: RELEASE_MIXED", () => {
    const r = verify(mix({ initrd: join(first, "initrd"), cmdline: join(second, "cmdline") }));
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as Report).release.map((p) => p.check)).toEqual(["RELEASE_MIXED"]);
  });

  it("a folder holding another component's endorsement, or one endorsed twice: RELEASE_FOLDER, RELEASE_DUPLICATE", () => {
    const r = verify(mix({ initrd: join(first, "initrd"), cmdline: join(first, "initrd") }));
    expect(r.status).toBe(1);
    const checks = (JSON.parse(r.stdout) as Report).release;
    expect(checks).toEqual(expect.arrayContaining([expect.objectContaining({ check: "RELEASE_FOLDER", folder: "cmdline" }), expect.objectContaining({ check: "RELEASE_DUPLICATE", folder: "initrd" })]));
  });

  it("a missing component (with --reference-values) and a damaged folder are failures, never skipped", () => {
    const parts = Object.fromEntries(COMPONENTS.filter((c) => c !== "ovmf").map((c) => [c, join(first, c)]));
    const missing = verify(mix(parts), VALUES);
    expect(missing.status).toBe(1);
    expect((JSON.parse(missing.stdout) as Report).release).toEqual([expect.objectContaining({ check: "RELEASE_INCOMPLETE" })]);
    const damaged = mix({ ...parts, ovmf: join(first, "ovmf") });
    rmSync(join(damaged, "ovmf/endorsement.json"));
    const report = JSON.parse(verify(damaged, VALUES).stdout) as Report;
    expect(report.verified).toBe(false);
    expect(report.components.find((c) => c.folder === "ovmf")?.error?.code).toBe("FOLDER_INVALID");
  });

  it("without --reference-values a verified release carries a warning that completeness was not checked", () => {
    const r = verify(first);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^reftrail: warning: without --reference-values/);
  });

  it("folder names with terminal escapes are printed escaped", () => {
    const dir = mix({ initrd: join(first, "initrd"), "x\u001b[2Kevil": join(first, "initrd") });
    const r = runCli(["verify", "release", "--endorsements", dir, "--key-registry", registry, "--rekor-key", rekorKey]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).not.toContain("\u001b");
    expect(r.stdout).toContain("x\\x1b[2Kevil");
  });
});

describe("keys from the environment (CI secrets)", () => {
  it("endorses with a PEM in REFTRAIL_KEY_<COMPONENT>, and never echoes it", () => {
    const work = tempDir("cli-env-key");
    ok(["keys", "generate", "--component", "initrd", "--out", work]);
    const pem = readFileSync(join(work, "initrd.private.pem"), "utf8");
    const r = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "initrd", "--key-env-prefix", "REFTRAIL_KEY_", "--out", join(work, "out"), "--json"], { env: { REFTRAIL_KEY_INITRD: pem } });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(pem.split("\n")[1]!);
    const missing = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "ovmf", "--key-env-prefix", "REFTRAIL_KEY_", "--out", join(work, "out2")], { env: { REFTRAIL_KEY_OVMF: "" } });
    expectRejected(missing, "REFTRAIL_KEY_OVMF");
    const garbage = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "ovmf", "--key-env-prefix", "REFTRAIL_KEY_", "--out", join(work, "out3")], { env: { REFTRAIL_KEY_OVMF: "-----BEGIN PRIVATE KEY-----\nnotakey\n-----END PRIVATE KEY-----\n" } });
    expectRejected(garbage, "REFTRAIL_KEY_OVMF");
    expect(garbage.stderr).not.toContain("notakey");
  });

  it("refuses a private key file others can read", () => {
    const work = tempDir("cli-key-mode");
    ok(["keys", "generate", "--component", "initrd", "--out", work]);
    chmodSync(join(work, "initrd.private.pem"), 0o644);
    expectRejected(runCli(["endorse", "release", "--reference-values", VALUES, "--component", "initrd", "--key-dir", work, "--out", join(work, "out")]), "chmod 600");
  });
});

describe("keys register: rotation", () => {
  it("adds a key, then ends it; verification honours the window", () => {
    const work = tempDir("cli-register");
    ok(["keys", "generate", "--component", "cmdline", "--out", work]);
    const registry = join(work, "registry.json");
    const add = JSON.parse(ok(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(work, "cmdline.public.pem"), "--start", "2026-01-01T00:00:00Z", "--json"]));
    expect(add.change).toBe("added");
    expect(JSON.parse(ok(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(work, "cmdline.public.pem"), "--start", "2026-01-01T00:00:00Z", "--json"])).change).toBe("unchanged");
    expect(JSON.parse(ok(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(work, "cmdline.public.pem"), "--start", "2026-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z", "--json"])).change).toBe("updated");
    const out = join(work, "out");
    ok(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", work, "--out", out]);
    ok(["publish", "release", "--endorsements", out, "--log", join(work, "log")]);
    const r = runCli(["verify", "release", "--endorsements", out, "--key-registry", registry, "--rekor-key", join(work, "log/log-public-key.pem")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("KEY_VALIDITY");
    expectRejected(runCli(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(work, "cmdline.private.pem")]), "--key");
    writeFileSync(join(work, "bad.json"), "{\"version\": 2}");
    expectRejected(runCli(["keys", "register", "--registry", join(work, "bad.json"), "--component", "cmdline", "--key", join(work, "cmdline.public.pem")]), "bad.json");
  });
});
