import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { COMMITTED, ROOT } from "../helpers/fixtures.js";
import { OAK_FILES } from "../helpers/release.js";
import { tempDir } from "../helpers/tlog.js";

const oak = (f: string) => join(COMMITTED, f);

describe("reftrail verify endorsement (Oak's real testdata)", () => {
  it("exit 0 with a table of every check", () => {
    const r = runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED oak_orchestrator/);
    expect(r.stdout).toMatch(/INCLUSION_PROOF\s+passed/);
  });

  it("exit 1 naming the failing check, on stdout (table) and stderr (one line)", () => {
    const r = runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2025-02-27T09:47:12.068Z"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^NOT VERIFIED .*VALIDITY: expired/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^reftrail: not verified: VALIDITY: /);
  });

  it("--json gives the verdict as data", () => {
    const r = runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01", "--claims", "https://project-oak.github.io/oak/test_claim_1,https://example.com/missing", "--json"]);
    expect(r.status).toBe(1);
    const verdict = JSON.parse(r.stdout) as { verified: boolean; failure: { check: string }; checks: { check: string; status: string }[] };
    expect(verdict.verified).toBe(false);
    expect(verdict.failure.check).toBe("CLAIMS");
    expect(verdict.checks.find((c) => c.check === "SET")?.status).toBe("not run");
  });

  it("--claims may be repeated: every value given is required", () => {
    const claim = (n: number) => `https://project-oak.github.io/oak/test_claim_${n}`;
    expect(runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01", "--claims", claim(1), "--claims", claim(2)]).status).toBe(0);
    const r = runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01", "--claims", claim(3), "--claims", claim(1)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`CLAIMS: required claim missing: ${claim(3)}`);
  });

  it("an empty --claims (an unset variable in a script) is a usage error, never 'no claims required'", () => {
    for (const claims of ["", ",", " , ", "https://project-oak.github.io/oak/test_claim_1,"]) {
      expectRejected(runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01", "--claims", claims]), "--claims", "empty");
    }
    const release = ["verify", "release", "--endorsements", oak("oak/derived/milan_oc_release_components"), "--key-registry", join(ROOT, "examples/oak-key-registry.json"), "--rekor-key", oak("sigstore/oak/rekor_public_key.pem"), "--at", "2025-08-01"];
    expectRejected(runCli([...release, "--claims", ""]), "--claims", "empty");
    expectRejected(runCli([...release, "--claims", "https://example.com/a", "--claims", ","]), "--claims", "empty");
  });

  it("the public-good trusted root instead of the Rekor key", () => {
    const files = OAK_FILES.slice(0, -2);
    const r = runCli(["verify", "endorsement", ...files, "--trusted-root", oak("sigstore/public-good-trusted_root.json"), "--at", "2024-10-01", "--subject-digest", "sha256:18c34d8cc737fb5709a99acb073cdc5ed8a404503f626cea6e0bad0a406002fc"]);
    expect(r.status).toBe(0);
  });

  it("Oak release folders verify with the Oak key registry (verify release)", () => {
    const r = runCli(["verify", "release", "--endorsements", oak("oak/derived/milan_oc_release_components"), "--key-registry", join(ROOT, "examples/oak-key-registry.json"), "--rekor-key", oak("sigstore/oak/rekor_public_key.pem"), "--at", "2025-08-01", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { verified: boolean; components: { folder: string; verdict: { verified: boolean } }[] };
    expect(report.components.map((c) => c.folder)).toEqual(["init_ram_fs", "kernel", "kernel_cmd_line", "stage0", "system_image"]);
    expect(report.components.every((c) => c.verdict.verified)).toBe(true);
  });

  it("cosign SET-only evidence: exit 1 by default, 0 with --allow-set-only", () => {
    const dir = oak("oak/derived/hashedrekord_cosign_bundle_vector");
    const args = ["verify", "endorsement", "--endorsement", join(dir, "statement.json"), "--signature", join(dir, "statement.json.sig"), "--log-entry", join(dir, "cosign_rekor_bundle.json"), "--key", join(dir, "developer_public_key.pem"), "--rekor-key", oak("sigstore/oak/rekor_public_key.pem"), "--at", "2025-10-31"];
    const strict = runCli(args);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain("INCLUSION_PROOF");
    expect(runCli([...args, "--allow-set-only"]).status).toBe(0);
  });
});

describe("reftrail verify bundle (sigstore-conformance managed-key cases)", () => {
  const c = (f: string) => oak(`sigstore/conformance/${f}`);
  const base = ["verify", "bundle", "--artifact", c("a.txt")];
  it("managed-key-happy-path: VALID", () => {
    expect(runCli([...base, "--bundle", c("managed-key-happy-path/bundle.sigstore.json"), "--key", c("managed-key-happy-path/key.pub"), "--trusted-root", oak("sigstore/public-good-trusted_root.json")]).status).toBe(0);
  });
  it("managed-key-and-trusted-root: VALID with its own root", () => {
    expect(runCli([...base, "--bundle", c("managed-key-and-trusted-root/bundle.sigstore.json"), "--key", c("managed-key-and-trusted-root/key.pub"), "--trusted-root", c("managed-key-and-trusted-root/trusted_root.json")]).status).toBe(0);
  });
  it("managed-key-wrong-key_fail: INVALID (the key cannot be parsed: input error)", () => {
    expectRejected(runCli([...base, "--bundle", c("managed-key-wrong-key_fail/bundle.sigstore.json"), "--key", c("managed-key-wrong-key_fail/key.pub"), "--trusted-root", oak("sigstore/public-good-trusted_root.json")]), "--key", "key.pub");
  });
  it("managed-key-no-key_fail: INVALID (no key given: usage error)", () => {
    expectRejected(runCli([...base, "--bundle", c("managed-key-no-key_fail/bundle.sigstore.json"), "--trusted-root", oak("sigstore/public-good-trusted_root.json")]), "--key");
  });
});

describe("input errors: exit 2, one line naming the input, no stack trace", () => {
  const without = (flag: string) => {
    const i = OAK_FILES.indexOf(flag);
    return [...OAK_FILES.slice(0, i), ...OAK_FILES.slice(i + 2)];
  };
  it("missing files", () => {
    expectRejected(runCli(["verify", "endorsement", ...without("--log-entry"), "--log-entry", "/nonexistent/logentry.json"]), "--log-entry /nonexistent/logentry.json", "no such file");
    expectRejected(runCli(["verify", "endorsement", ...without("--key"), "--key", "/nonexistent.pem"]), "--key /nonexistent.pem");
  });
  it("a log entry file that is not one", () => {
    expectRejected(runCli(["verify", "endorsement", ...without("--log-entry"), "--log-entry", oak("sigstore/oak/endorsement.json")]), "endorsement.json");
    expectRejected(runCli(["verify", "endorsement", ...without("--log-entry"), "--log-entry", oak("sigstore/oak/rekor_public_key.pem")]), "not valid JSON");
  });
  it("a log entry whose integratedTime is written 1726762760.0 or 1.72676276e9 (Go refuses it; JSON.parse would not)", () => {
    const original = readFileSync(oak("sigstore/oak/logentry.json"), "utf8");
    for (const written of ["1726762760.0", "1.72676276e9"]) {
      const file = join(tempDir("verify-float"), "logentry.json");
      writeFileSync(file, original.replace('"integratedTime":1726762760', `"integratedTime":${written}`));
      expectRejected(runCli(["verify", "endorsement", ...without("--log-entry"), "--log-entry", file, "--at", "2024-10-01"]), file, `integratedTime as '${written}'`, "without a fraction or exponent");
    }
  });
  it("keys that are not P-256 public keys", () => {
    expectRejected(runCli(["verify", "endorsement", ...without("--key"), "--key", oak("sigstore/oak/endorsement.json")]), "--key");
    expectRejected(runCli(["verify", "endorsement", ...without("--rekor-key"), "--rekor-key", oak("sigstore/oak/endorsement.json")]), "--rekor-key");
  });
  it("a log's private key as --rekor-key is refused, not turned into its public key", () => {
    const log = tempDir("verify-log-key");
    expect(runCli(["log", "init", "--log", log]).status).toBe(0);
    const keyFile = join(log, "log-key.pem");
    expectRejected(runCli(["verify", "endorsement", ...without("--rekor-key"), "--rekor-key", keyFile, "--at", "2024-10-01"]), `--rekor-key ${keyFile}`, "private key");
    expectRejected(runCli(["verify", "release", "--endorsements", oak("oak/derived/milan_oc_release_components"), "--key-registry", join(ROOT, "examples/oak-key-registry.json"), "--rekor-key", keyFile]), "--rekor-key", "private key");
  });
  it("usage mistakes", () => {
    expectRejected(runCli(["verify", "endorsement", ...OAK_FILES, "--at", "yesterday"]), "--at");
    expectRejected(runCli(["verify", "endorsement", ...OAK_FILES, "--bundle", "x.json"]), "--bundle");
    expectRejected(runCli(["verify", "endorsement", ...without("--key")]), "--key");
    expectRejected(runCli(["verify", "endorsement", ...OAK_FILES, "--trusted-root", "x"]), "--rekor-key", "--trusted-root");
    expectRejected(runCli(["verify", "endorsement", ...OAK_FILES, "--subject-digest", "xyz"]), "--subject-digest");
  });
});
