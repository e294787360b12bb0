import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SnpEvidenceVerdict } from "../../src/schema/evidence-verdict.js";
import { ROOT } from "../helpers/fixtures.js";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { serveLogProcess } from "../helpers/serve.js";
import { endorseRelease, type EndorsedRelease } from "../helpers/release-endorsed.js";
import { buildReport, milanTcb, testPki, type TestPki } from "../helpers/snp-pki.js";
import { sha256sumOf } from "../helpers/sha.js";
import { tempDir } from "../helpers/tlog.js";
import { readTsv } from "../helpers/tsv.js";

/** `reftrail policy init` and `reftrail verify evidence --format snp` on the example release, end to end. */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const oracle = (vcpus: string, type: string) =>
  Buffer.from(readTsv("launch-digests/oracle-visible.tsv").find((r) => r["ovmf_file"] === "firmware/OVMF.fd" && r["mode"] === "snp" && r["vcpus"] === vcpus && r["vcpu_type"] === type && r["guest_features"] === "0x1" && r["kernel_sha256"] === "-")!["expected_digest_hex"]!, "hex");

let dir: string;
let release: EndorsedRelease;
let pki: TestPki;
const AT = new Date(Date.now() + 86_400_000).toISOString();

function writeReport(name: string, measurement: Uint8Array): string {
  const tcb = milanTcb(3, 0, 8, 115);
  const vek = pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 }, hwId: new Uint8Array(64).fill(9) });
  writeFileSync(join(dir, `${name}.vcek.pem`), vek.certPem);
  writeFileSync(join(dir, `${name}.bin`), buildReport({ version: 3, measurement, reportedTcb: tcb, currentTcb: tcb, chipId: new Uint8Array(64).fill(9) }, vek.privateKey));
  return name;
}

const evidence = (name: string, policy: string, extra: string[] = []) =>
  runCli([
    "verify", "evidence", "--format", "snp", "--report", join(dir, `${name}.bin`), "--cert", join(dir, `${name}.vcek.pem`),
    "--ask", pki.askCertFile, "--trust-root", pki.arkCertFile, "--endorsements", release.endorsements, "--key-registry", release.registry,
    "--rekor-key", release.logKey, "--policy", policy, "--at", AT, ...extra,
  ]);

beforeAll(() => {
  dir = tempDir("cli-evidence");
  release = endorseRelease(VALUES, join(dir, "home"), "2026.11.0");
  pki = testPki("Milan");
}, 120_000);

describe("reftrail policy init / verify evidence --format snp", () => {
  it("policy init writes the release's strict policy; evidence of an allowed configuration verifies (exit 0)", () => {
    const init = runCli(["policy", "init", "--reference-values", VALUES, "--out", join(dir, "policy.json")]);
    expect(init.status, init.stderr).toBe(0);
    const policy = JSON.parse(readFileSync(join(dir, "policy.json"), "utf8"));
    expect(Object.keys(policy.components)).toEqual(["ovmf", "linux-cloud", "initrd", "cmdline", "ovmf-vars"]);
    expect(policy.components["linux-cloud"].skip.reason).toMatch(/no kernel-hashes table/);
    const r = evidence(writeReport("ok", oracle("4", "EPYC-Milan")), join(dir, "policy.json"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED SEV-SNP evidence \(Milan, VCEK, root .*\): MEASUREMENT [0-9a-f]{16}… is QEMU, 4 vCPUs, EPYC-Milan/);
    expect(r.stdout).toMatch(/\novmf +VERIFIED +launch digest/);
    expect(r.stdout).toMatch(/\nlinux-cloud +SKIPPED/);
    const j = evidence("ok", join(dir, "policy.json"), ["--json"]);
    // The printed object is exactly what schemas/evidence-verdict.json describes (strict: no field it does not name).
    expect(SnpEvidenceVerdict.parse(JSON.parse(j.stdout))).toMatchObject({ verified: true, failures: [], configuration: { vcpus: 4, vcpuType: "EPYC-Milan" } });
  });

  it("a measurement outside the policy: exit 1, the failed check and the diagnosis", () => {
    runCli(["policy", "init", "--reference-values", VALUES, "--out", join(dir, "policy.json")]);
    const policy = JSON.parse(readFileSync(join(dir, "policy.json"), "utf8"));
    policy.boot = policy.boot.map((b: { vcpus: string }) => ({ ...b, vcpus: "1-2" }));
    writeFileSync(join(dir, "narrow.json"), JSON.stringify(policy));
    const r = evidence(writeReport("four", oracle("4", "EPYC-Milan")), join(dir, "narrow.json"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^NOT VERIFIED SEV-SNP evidence: MEASUREMENT\n/);
    expect(r.stdout).toMatch(/MEASUREMENT .*FAIL .*4 vCPUs, outside the policy's counts \(1-2\)/);
    const j = SnpEvidenceVerdict.parse(JSON.parse(evidence("four", join(dir, "narrow.json"), ["--json"]).stdout));
    expect(j.diagnosis?.found?.differences).toEqual(["4 vCPUs, outside the policy's counts (1-2)"]);
  });

  it("bad input is one line naming the file (exit 2): a policy with an unknown field, a truncated report", () => {
    writeFileSync(join(dir, "unknown.json"), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, "policy.json"), "utf8")), extra: 1 }));
    const unknown = evidence("ok", join(dir, "unknown.json"));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^reftrail: error: --policy .*unknown\.json: .*extra/);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    writeFileSync(join(dir, "short.bin"), readFileSync(join(dir, "ok.bin")).subarray(0, 1000));
    writeFileSync(join(dir, "short.vcek.pem"), readFileSync(join(dir, "ok.vcek.pem")));
    const short = evidence("short", join(dir, "policy.json"));
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/^reftrail: error: --report .*short\.bin/);
    expect(runCli(["verify", "evidence", "--format", "tdx"]).status).toBe(2);
  });

  describe("entries from the log by component key, statements from the folders", () => {
    const fromLog = (name: string, source: string[], endorsements = join(release.home, "endorsements")) =>
      [
        "verify", "evidence", "--format", "snp", "--report", join(dir, `${name}.bin`), "--cert", join(dir, `${name}.vcek.pem`),
        "--ask", pki.askCertFile, "--trust-root", pki.arkCertFile, "--endorsements", endorsements, ...source,
        "--key-registry", release.registry, "--rekor-key", release.logKey, "--policy", join(dir, "policy.json"), "--at", AT, "--json",
      ];

    it("--log DIR: the embedded log's entries verify the same evidence", () => {
      runCli(["policy", "init", "--reference-values", VALUES, "--out", join(dir, "policy.json")]);
      writeReport("log", oracle("4", "EPYC-Milan"));
      const r = runCli(fromLog("log", ["--log", join(release.home, "log")]));
      expect(r.status, r.stderr).toBe(0);
      const v = JSON.parse(r.stdout);
      expect(v.components.find((c: { component: string }) => c.component === "ovmf").endorsement.source).toMatch(/^log .* index \d+$/);
    });

    it("--log DIR alone: the embedded log kept every statement it logged (statements/<sha256>.json)", () => {
      const kept = readdirSync(join(release.home, "log", "statements")).sort();
      const published = ["cmdline", "initrd", "linux-cloud", "ovmf", "ovmf-vars"].map((c) => `${sha256sumOf(readFileSync(join(release.endorsements, c, "endorsement.json")))}.json`).sort();
      expect(kept).toEqual(published);
      const args = fromLog("log", ["--log", join(release.home, "log")]);
      args.splice(args.indexOf("--endorsements"), 2);
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(0);
      // Without statements anywhere a Rekor URL cannot be used: the log holds only their hashes.
      const remote = fromLog("log", ["--rekor-url", "http://127.0.0.1:9"]);
      remote.splice(remote.indexOf("--endorsements"), 2);
      expect(runCli(remote).stderr).toMatch(/^reftrail: error: a Rekor log holds only the hashes of the statements/);
    });

    it("--rekor-url: the same through `reftrail log serve`", async () => {
      const served = await serveLogProcess(join(release.home, "log"));
      try {
        const r = await runCliAsync(fromLog("log", ["--rekor-url", served.url]));
        expect(r.status, r.stderr).toBe(0);
      } finally {
        await served.stop();
      }
    });

    it("a logged entry whose statement the folder lacks is reported, not used: the component has no value (exit 1)", () => {
      const partial = join(dir, "partial");
      cpSync(release.endorsements, partial, { recursive: true });
      rmSync(join(partial, "ovmf"), { recursive: true });
      // A copy of the log without the statements it kept, as a Rekor server is.
      const log = join(dir, "log-without-statements");
      cpSync(join(release.home, "log"), log, { recursive: true });
      rmSync(join(log, "statements"), { recursive: true });
      const r = runCli(fromLog("log", ["--log", log], partial));
      expect(r.status).toBe(1);
      const v = SnpEvidenceVerdict.parse(JSON.parse(r.stdout));
      expect(v.endorsements.find((e) => e.component === "ovmf")?.refused?.check).toBe("STATEMENT_UNAVAILABLE");
      expect(v.failures).toEqual(["COMPONENT_VALUE"]);
    });
  });
});
