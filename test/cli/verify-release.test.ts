import { sign } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrivateKey } from "../../src/keys/component-keys.js";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { COMMITTED } from "../helpers/fixtures.js";
import { ok, publishedRelease, RELEASE_VALUES as VALUES } from "../helpers/release.js";
import { tempDir } from "../helpers/tlog.js";

const COMPONENTS = ["cmdline", "initrd", "linux-cloud", "ovmf", "ovmf-vars"];

interface FileVerdict {
  file: string;
  verified: boolean;
  failure?: { check: string; message: string };
}
interface Verdict {
  verified: boolean;
  failure?: { check: string; message: string; file?: string };
  files?: FileVerdict[];
}
interface Report {
  verified: boolean;
  components: { folder: string; verdict?: Verdict; error?: { code: string; message: string } }[];
  release: { check: string; folder?: string; message: string }[];
  skipped?: { name: string; reason: string }[];
}

describe("reftrail verify release", () => {
  const { work, keys, registry, log, rekorKey, release } = publishedRelease("cli-verify-release");

  /** A copy of the release to damage. */
  const copy = () => {
    const dir = join(tempDir("cli-verify-release-copy"), "release");
    cpSync(release, dir, { recursive: true });
    return dir;
  };
  const verify = (dir: string, ...extra: string[]) =>
    runCli(["verify", "release", "--endorsements", dir, "--reference-values", VALUES, "--key-registry", registry, "--rekor-key", rekorKey, ...extra]);
  const report = (dir: string) => JSON.parse(verify(dir, "--json").stdout) as Report;
  const row = (r: Report, folder: string) => r.components.find((c) => c.folder === folder)!;
  const verifyDir = (dir: string) => runCli(["verify", "endorsement", "--dir", dir, "--key-registry", registry, "--rekor-key", rekorKey, "--json"]);

  it("verifies both logentry.json and endorsement.sigstore.json of each folder", () => {
    const r = report(release);
    expect(r.verified).toBe(true);
    for (const c of r.components) expect(c.verdict?.files?.map((f) => [f.file, f.verified])).toEqual([["logentry.json", true], ["endorsement.sigstore.json", true]]);
    expect(r.skipped).toEqual([]);
  });

  describe("a published folder whose bundle is bad fails, even though its logentry.json verifies", () => {
    it("a bundle that is not JSON: a failed row naming the bundle; verify endorsement --dir: an input error naming it", () => {
      const dir = copy();
      writeFileSync(join(dir, "initrd/endorsement.sigstore.json"), "{");
      const r = report(dir);
      expect(r.verified).toBe(false);
      expect(row(r, "initrd").error?.message).toContain("endorsement.sigstore.json");
      expect(COMPONENTS.filter((c) => c !== "initrd").every((c) => row(r, c).verdict?.verified)).toBe(true);
      expectRejected(runCli(["verify", "endorsement", "--dir", join(dir, "initrd"), "--key-registry", registry, "--rekor-key", rekorKey]), "endorsement.sigstore.json");
    });

    it("another component's bundle: the row fails BODY_HASH naming the bundle; verify endorsement --dir agrees", () => {
      const dir = copy();
      cpSync(join(dir, "cmdline/endorsement.sigstore.json"), join(dir, "initrd/endorsement.sigstore.json"));
      const r = report(dir);
      expect(r.verified).toBe(false);
      const verdict = row(r, "initrd").verdict!;
      expect(verdict.verified).toBe(false);
      expect(verdict.failure).toMatchObject({ check: "BODY_HASH", file: "endorsement.sigstore.json" });
      expect(verdict.failure?.message).toMatch(/^endorsement\.sigstore\.json: /);
      expect(verdict.files?.map((f) => [f.file, f.verified, f.failure?.check])).toEqual([["logentry.json", true, undefined], ["endorsement.sigstore.json", false, "BODY_HASH"]]);
      expect(verify(dir).stdout).toMatch(/initrd .*FAILED\s+BODY_HASH: endorsement\.sigstore\.json: /);
      const single = verifyDir(join(dir, "initrd"));
      expect(single.status).toBe(1);
      expect(JSON.parse(single.stdout)).toMatchObject({ verified: false, failure: { check: "BODY_HASH", file: "endorsement.sigstore.json" } });
      expect(single.stderr).toContain("BODY_HASH: endorsement.sigstore.json: ");
    });

    it("a bundle whose signature is not endorsement.json.sig: BODY_SIGNATURE, naming the bundle", () => {
      const dir = copy();
      const path = join(dir, "initrd/endorsement.sigstore.json");
      const bundle = JSON.parse(readFileSync(path, "utf8")) as { messageSignature: { signature: string } };
      bundle.messageSignature.signature = readFileSync(join(dir, "cmdline/endorsement.json.sig")).toString("base64");
      writeFileSync(path, JSON.stringify(bundle));
      const verdict = row(report(dir), "initrd").verdict!;
      expect(verdict.failure).toMatchObject({ check: "BODY_SIGNATURE", file: "endorsement.sigstore.json" });
    });

    it("a bad logentry.json beside a good bundle is named too", () => {
      const dir = copy();
      cpSync(join(dir, "cmdline/logentry.json"), join(dir, "initrd/logentry.json"));
      const verdict = row(report(dir), "initrd").verdict!;
      expect(verdict.failure?.file).toBe("logentry.json");
      expect(verdict.failure?.message).toMatch(/^logentry\.json: /);
    });

    it("a folder with only one of the two verifies that one, as before", () => {
      const dir = copy();
      mkdirSync(join(dir, "initrd-bundle-only"));
      for (const f of ["endorsement.json", "endorsement.json.sig", "public_key.pem", "endorsement.sigstore.json"]) cpSync(join(dir, "initrd", f), join(dir, "initrd-bundle-only", f));
      const single = verifyDir(join(dir, "initrd-bundle-only"));
      expect(single.status).toBe(0);
      expect((JSON.parse(single.stdout) as Verdict).files?.map((f) => f.file)).toEqual(["endorsement.sigstore.json"]);
    });
  });

  describe("a non-reftrail (Oak) endorsement mixed into a reftrail release", () => {
    // Oak's real testdata statement, re-dated to be valid now and signed with a key of our own: the
    // shape of an endorsement Oak's tooling makes, without predicate.reftrail.
    ok(["keys", "generate", "--component", "oak_orchestrator", "--out", keys, "--registry", registry]);
    const day = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const statement = readFileSync(join(COMMITTED, "sigstore/oak/endorsement.json"), "utf8")
      .replace(/"issuedOn": "[^"]+"/, `"issuedOn": "${iso(Date.now() - day)}"`)
      .replace(/"notBefore": "[^"]+"/, `"notBefore": "${iso(Date.now() - day)}"`)
      .replace(/"notAfter": "[^"]+"/, `"notAfter": "${iso(Date.now() + 30 * day)}"`);
    const foreign = join(work, "foreign");
    const folder = join(foreign, "oak_orchestrator");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "endorsement.json"), statement);
    writeFileSync(join(folder, "endorsement.json.sig"), sign("sha256", Buffer.from(statement), parsePrivateKey(readFileSync(join(keys, "oak_orchestrator.private.pem"), "utf8")).privateKey));
    cpSync(join(keys, "oak_orchestrator.public.pem"), join(folder, "public_key.pem"));
    ok(["publish", "release", "--endorsements", foreign, "--log", log]);
    const verifyWithout = (dir: string) => runCli(["verify", "release", "--endorsements", dir, "--key-registry", registry, "--rekor-key", rekorKey, "--json"]);

    it("is a RELEASE_FOREIGN problem: exit 1", () => {
      const dir = copy();
      cpSync(folder, join(dir, "oak_orchestrator"), { recursive: true });
      const r = verifyWithout(dir);
      expect(r.status).toBe(1);
      const result = JSON.parse(r.stdout) as Report;
      expect(row(result, "oak_orchestrator").verdict?.verified).toBe(true);
      expect(result.release).toEqual([expect.objectContaining({ check: "RELEASE_FOREIGN", folder: "oak_orchestrator" })]);
      expect(r.stderr).toContain("RELEASE_FOREIGN (oak_orchestrator)");
    });

    it("a release made only of Oak endorsements verifies as before", () => {
      const r = verifyWithout(foreign);
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as Report).release).toEqual([]);
    });
  });

  describe("entries it does not verify are named, never passed over in silence", () => {
    it("non-folders, dot-folders and folders without endorsement files: a warning on stderr and a skipped list in --json", () => {
      const dir = copy();
      writeFileSync(join(dir, "README.md"), "notes\n");
      mkdirSync(join(dir, ".staging"));
      writeFileSync(join(dir, ".staging/endorsement.json"), "{}");
      mkdirSync(join(dir, "empty"));
      mkdirSync(join(dir, "notes"));
      writeFileSync(join(dir, "notes/todo.txt"), "x");
      mkdirSync(join(dir, "esc\u001b[2K"));
      const expected = [
        { name: ".staging", reason: expect.stringContaining("hidden") },
        { name: "README.md", reason: expect.stringContaining("not a folder") },
        { name: "empty", reason: expect.stringContaining("no endorsement files") },
        { name: "esc\u001b[2K", reason: expect.stringContaining("no endorsement files") },
        { name: "notes", reason: expect.stringContaining("no endorsement files") },
      ];
      const json = verify(dir, "--json");
      expect(json.status).toBe(0);
      expect((JSON.parse(json.stdout) as Report).skipped).toEqual(expected);
      const human = verify(dir);
      expect(human.status).toBe(0);
      const warning = human.stderr.trim().split("\n");
      expect(warning).toHaveLength(1);
      expect(warning[0]).toMatch(/^reftrail: warning: skipped 5 entries of .*: \.staging \(hidden.*\), README\.md \(not a folder\), empty \(no endorsement files\), esc\\x1b\[2K \(no endorsement files\), notes \(no endorsement files\)$/);
      expect(json.stderr).toBe(human.stderr);
    });
  });
});
