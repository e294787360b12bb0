import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReport } from "../../src/verify/snp/abi/report.js";
import { verifyReport } from "../../src/verify/snp/verifier.js";
import { certificateBlobs, parseCertificate } from "../../src/verify/x509/certificate.js";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { COMMITTED } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

const set = (name: string, file: string) => join(COMMITTED, "snp-reports", name, file);
const AT = "2026-06-01T00:00:00Z";

describe("reftrail verify report", () => {
  it("a real Genoa report: exit 0, one line per check with expected and actual", () => {
    const r = runCli(["verify", "report", "--report", set("oak_genoa_oc", "report.bin"), "--cert", set("oak_genoa_oc", "vcek.der"), "--at", AT]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED SEV-SNP report \(Genoa, VCEK\)/);
    expect(r.stdout).toMatch(/\nREPORT_SIGNATURE\s+pass/);
    expect(r.stdout).toMatch(/\nCHIP_ID\s+pass\s+/);
  });

  it("--json prints the library's verdict object", () => {
    const r = runCli(["verify", "report", "--report", set("oak_turin_oc", "report.bin"), "--cert", set("oak_turin_oc", "vcek.der"), "--at", AT, "--json"]);
    expect(r.status).toBe(0);
    const fromLibrary = verifyReport(
      { report: parseReport(readFileSync(set("oak_turin_oc", "report.bin"))), vek: parseCertificate(readFileSync(set("oak_turin_oc", "vcek.der"))) },
      { at: BigInt(Date.parse(AT)) * 1_000_000n },
    );
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(fromLibrary)));
  });

  it("the debug policy of the go-sev-guest report: exit 1, then 0 with a policy allowing debug", () => {
    const args = ["verify", "report", "--report", set("gosevguest_milan", "report.bin"), "--cert", set("gosevguest_milan", "vcek.der"), "--at", AT];
    const strict = runCli(args);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/\nPOLICY_GUEST_POLICY\s+FAIL\s+.*DEBUG/);
    expect(strict.stderr).toBe("reftrail: not verified: POLICY_GUEST_POLICY\n");
    const dir = tempDir("report-policy");
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ version: 1, guestPolicy: { debug: true }, measurements: ["b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01"] }));
    expect(runCli([...args, "--policy", join(dir, "policy.json")]).status).toBe(0);
  });

  it("the VLEK report: exit 0 at the pinned time, 1 now (expired)", () => {
    const args = ["verify", "report", "--report", set("trustee_milan_vlek", "report.bin"), "--cert", set("trustee_milan_vlek", "vlek.der")];
    expect(runCli([...args, "--at", "2025-06-01"]).status).toBe(0);
    const now = runCli(args);
    expect(now.status).toBe(1);
    expect(now.stderr).toContain("CERT_VALIDITY");
  });

  it("explicit AMD chains: the KDS cert_chain, or --ask and --ark; another product's chain fails", () => {
    const base = ["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", set("virtee_milan", "vcek.der"), "--at", AT];
    expect(runCli([...base, "--chain", join(COMMITTED, "amd/cert_chain/ask_ark_milan.pem")]).status).toBe(0);
    expect(runCli([...base, "--ask", join(COMMITTED, "amd/ask_milan.pem"), "--ark", join(COMMITTED, "amd/ark_milan.pem")]).status).toBe(0);
    const wrong = runCli([...base, "--ask", join(COMMITTED, "amd/ask_genoa.pem")]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("VEK_SIGNATURE");
  });

  it("a v2 report with a contradicting --product fails PRODUCT", () => {
    const r = runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", set("virtee_milan", "vcek.der"), "--at", AT, "--product", "Genoa"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PRODUCT");
  });

  it("input errors: exit 2, one line naming the file or option", () => {
    const dir = tempDir("report-inputs");
    const report = readFileSync(set("virtee_milan", "report.bin"));
    writeFileSync(join(dir, "short.bin"), report.subarray(0, 1000));
    const v1 = Buffer.from(report);
    v1.writeUInt32LE(1, 0);
    writeFileSync(join(dir, "v1.bin"), v1);
    writeFileSync(join(dir, "junk.pem"), "not a certificate");
    const cert = ["--cert", set("virtee_milan", "vcek.der")];
    expectRejected(runCli(["verify", "report", "--report", join(dir, "short.bin"), ...cert]), "short.bin", "1184");
    expectRejected(runCli(["verify", "report", "--report", join(dir, "v1.bin"), ...cert]), "v1.bin", "VERSION is 1");
    expectRejected(runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", join(dir, "junk.pem")]), "--cert");
    writeFileSync(join(dir, "four.pem"), Buffer.concat([readFileSync(set("azure_milan_hcl", "vcek_chain.pem")), readFileSync(join(COMMITTED, "amd/ark_milan.pem"))]));
    expectRejected(runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", join(dir, "four.pem")]), "--cert", "holds 4 certificates");
    expectRejected(runCli(["verify", "report", "--report", set("virtee_milan", "report.bin")]), "--cert");
    expectRejected(runCli(["verify", "report", "--report", "/nonexistent.bin", ...cert]), "/nonexistent.bin");
    expectRejected(runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), ...cert, "--product", "Venice"]), "--product");
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ version: 1, vmpl: 0 }));
    expectRejected(runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), ...cert, "--policy", join(dir, "policy.json")]), "--policy", "policy.json", "vmpl");
  });

  it("a repeated single-value option is a usage error, never 'the last one wins'", () => {
    const base = ["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", set("virtee_milan", "vcek.der")];
    expectRejected(runCli([...base, "--at", "2100-01-01", "--at", AT]), "--at given more than once");
    expectRejected(runCli(["verify", "report", "--report", "/nonexistent.bin", ...base.slice(2), "--at", AT]), "--report given more than once");
    expectRejected(runCli([...base, "--at", AT, "--policy=a.json", "--policy", "b.json"]), "--policy given more than once");
    // A repeated flag changes nothing and stays accepted.
    expect(runCli([...base, "--at", AT, "--json", "--json"]).status).toBe(0);
  });

  it("a policy file with a byte-order mark is refused, as every JSON input is", () => {
    const dir = tempDir("report-bom");
    writeFileSync(join(dir, "bom.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ version: 1 }))]));
    writeFileSync(join(dir, "plain.json"), JSON.stringify({ version: 1 }));
    const base = ["verify", "report", "--report", set("virtee_milan", "report.bin"), "--cert", set("virtee_milan", "vcek.der"), "--at", AT];
    expect(runCli([...base, "--policy", join(dir, "plain.json")]).status).toBe(0);
    expectRejected(runCli([...base, "--policy", join(dir, "bom.json")]), "--policy", "bom.json", "byte-order mark");
  });

  it("hex text that is not a report says so; a CRL that does not parse has code CRL", () => {
    const dir = tempDir("report-hex-errors");
    const hex = readFileSync(set("virtee_milan", "report.bin")).toString("hex");
    writeFileSync(join(dir, "prefixed.hex"), `0x${hex}`);
    writeFileSync(join(dir, "odd.hex"), `${hex.slice(0, 100)}zz${hex.slice(102)}`);
    writeFileSync(join(dir, "short.hex"), hex.slice(0, 200));
    const cert = ["--cert", set("virtee_milan", "vcek.der")];
    expectRejected(runCli(["verify", "report", "--report", join(dir, "prefixed.hex"), ...cert]), "prefixed.hex", "is text but not hex: 'x' at character 2");
    expectRejected(runCli(["verify", "report", "--report", join(dir, "odd.hex"), ...cert]), "odd.hex", "'z' at character 101");
    expectRejected(runCli(["verify", "report", "--report", join(dir, "short.hex"), ...cert]), "short.hex", "holds 200 hex digits; a report is 2368");
    writeFileSync(join(dir, "bad.crl"), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]));
    const r = runCli(["verify", "report", "--report", set("virtee_milan", "report.bin"), ...cert, "--crl", join(dir, "bad.crl"), "--json"]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: "CRL", message: "TBSCertList has tag 0x2, expected 0x30", subject: `--crl ${join(dir, "bad.crl")}` } });
    expect(r.stderr).toBe(`reftrail: error: --crl ${join(dir, "bad.crl")}: TBSCertList has tag 0x2, expected 0x30\n`);
  });
});

describe("reftrail inspect report", () => {
  it("prints every field; --json decodes them as the manifest lists", () => {
    const text = runCli(["inspect", "report", set("oak_turin_oc", "report.bin")]);
    expect(text.status).toBe(0);
    for (const label of ["Version:", "Guest policy:", "Reported TCB:", "FMC:", "Chip ID:", "Platform info:", "Launch mitigation vector:"]) expect(text.stdout).toContain(label);
    const json = JSON.parse(runCli(["inspect", "report", set("oak_turin_oc", "report.bin"), "--json"]).stdout) as Record<string, unknown>;
    const manifest = (JSON.parse(readFileSync(join(COMMITTED, "snp-reports/MANIFEST.json"), "utf8")) as { set: string; measurement: string; chip_id: string; reported_tcb: Record<string, number> }[]).find((m) => m.set === "oak_turin_oc")!;
    expect(json["measurement"]).toBe(manifest.measurement);
    expect(json["chipId"]).toBe(manifest.chip_id);
    expect(json["product"]).toBe("Turin");
    const tcb = json["reportedTcb"] as Record<string, number>;
    for (const c of ["fmc", "bl", "tee", "snp", "ucode"]) expect(tcb[c], c).toBe(manifest.reported_tcb[c]);
  });

  it("reads hex text too, and refuses anything else", () => {
    const dir = tempDir("inspect-hex");
    writeFileSync(join(dir, "report.hex"), readFileSync(set("virtee_milan", "report.bin")).toString("hex").replace(/(.{64})/g, "$1\n"));
    expect(runCli(["inspect", "report", join(dir, "report.hex"), "--product", "Milan"]).status).toBe(0);
    expectRejected(runCli(["inspect", "report"]), "FILE");
    expectRejected(runCli(["inspect", "report", set("virtee_milan", "vcek.der")]), "vcek.der");
  });

  it("says which TCB layout it used and whether it was assumed; --product may not contradict CPUID", () => {
    const layout = (args: string[]) => (JSON.parse(runCli(["inspect", "report", ...args, "--json"]).stdout) as { tcbLayout: string }).tcbLayout;
    expect(layout([set("virtee_milan", "report.bin")])).toMatch(/^Milan\/Genoa \(assumed/);
    expect(layout([set("virtee_milan", "report.bin"), "--product", "Milan"])).toBe("Milan/Genoa");
    expect(layout([set("oak_turin_oc", "report.bin")])).toBe("Turin");
    expect(layout([set("oak_genoa_oc", "report.bin"), "--product", "Genoa"])).toBe("Milan/Genoa");
    expectRejected(runCli(["inspect", "report", set("oak_genoa_oc", "report.bin"), "--product", "Turin"]), "--product", "CPUID says Genoa");
  });
});

it("certificate blobs helper: a KDS cert_chain holds the ASK then the ARK", () => {
  const [ask, ark] = certificateBlobs(readFileSync(join(COMMITTED, "amd/cert_chain/ask_ark_turin_vcek.pem"))).map(parseCertificate);
  expect([ask!.subject.commonName, ark!.subject.commonName]).toEqual(["SEV-Turin", "ARK-Turin"]);
});

describe("Azure HCL reports (hcl-report.bin: the SNP report at 0x20..0x4C0, runtime data after it)", () => {
  for (const name of ["azure_milan_hcl", "azure_genoa_hcl"]) {
    it(`${name}: verify passes HCL_RUNTIME_DATA; inspect shows the runtime data digest (MANIFEST REPORT_DATA[0:32])`, () => {
      const r = runCli(["verify", "report", "--report", set(name, "hcl-report.bin"), "--cert", set(name, "vcek.pem"), "--at", AT, "--json"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const verdict = JSON.parse(r.stdout) as { checks: { check: string; status: string }[] };
      expect(verdict.checks.find((c) => c.check === "HCL_RUNTIME_DATA")?.status).toBe("passed");
      const manifest = (JSON.parse(readFileSync(join(COMMITTED, "snp-reports/MANIFEST.json"), "utf8")) as { set: string; report_data: string }[]).find((m) => m.set === name)!;
      const inspected = JSON.parse(runCli(["inspect", "report", set(name, "hcl-report.bin"), "--json"]).stdout) as { hcl: { runtimeDataDigest: string; reportDataCommitsToRuntimeData: boolean }; reportData: string };
      expect(inspected.hcl.runtimeDataDigest).toBe(manifest.report_data.slice(0, 64));
      expect(inspected.hcl.reportDataCommitsToRuntimeData).toBe(true);
      expect(inspected.reportData).toBe(manifest.report_data);
    });
  }

  it("changed runtime data: exit 1, HCL_RUNTIME_DATA; a broken header: exit 2 naming the file", () => {
    const dir = tempDir("hcl-cli");
    const bytes = readFileSync(set("azure_milan_hcl", "hcl-report.bin"));
    const changed = Buffer.from(bytes);
    changed[0x4d4 + 10]! ^= 0x20; // inside the JSON variable data
    writeFileSync(join(dir, "changed.bin"), changed);
    const r = runCli(["verify", "report", "--report", join(dir, "changed.bin"), "--cert", set("azure_milan_hcl", "vcek.pem"), "--at", AT]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("reftrail: not verified: HCL_RUNTIME_DATA\n");
    expect((JSON.parse(runCli(["inspect", "report", join(dir, "changed.bin"), "--json"]).stdout) as { hcl: { reportDataCommitsToRuntimeData: boolean } }).hcl.reportDataCommitsToRuntimeData).toBe(false);
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(9, 0x4cc); // hash type 9
    writeFileSync(join(dir, "broken.bin"), broken);
    const b = runCli(["verify", "report", "--report", join(dir, "broken.bin"), "--cert", set("azure_milan_hcl", "vcek.pem"), "--at", AT]);
    expect(b.status).toBe(2);
    expectRejected(b, "broken.bin", "HCL report: runtime data hash type 9");
  });
});

describe("--cert with its chain (Azure's vcek_chain.pem: VCEK, ASK, ARK)", () => {
  const report = ["--report", set("azure_milan_hcl", "report.bin"), "--at", AT];

  it("verifies with the chain taken from the file; the ASK is then not the pinned default", () => {
    const r = runCli(["verify", "report", ...report, "--cert", set("azure_milan_hcl", "vcek_chain.pem"), "--json"]);
    expect(r.status).toBe(0);
    const checks = (JSON.parse(r.stdout) as { checks: { check: string; actual?: string }[] }).checks;
    expect(checks.find((c) => c.check === "ISSUER_CERTIFICATE")?.actual).toBe("SEV-Milan");
  });

  it("a bundle together with --ask, --ark or --chain is a usage error (which chain would count?)", () => {
    const bundle = ["--cert", set("azure_milan_hcl", "vcek_chain.pem")];
    expectRejected(runCli(["verify", "report", ...report, ...bundle, "--chain", join(COMMITTED, "amd/cert_chain/ask_ark_milan.pem")]), "--cert", "already holds the chain");
    expectRejected(runCli(["verify", "report", ...report, ...bundle, "--ask", join(COMMITTED, "amd/ask_milan.pem")]), "--cert", "already holds the chain");
  });

  it("the KDS cert_chain (ASK, ARK) given as --cert by mistake: exit 1, the first certificate is not a VCEK/VLEK", () => {
    const r = runCli(["verify", "report", ...report, "--cert", join(COMMITTED, "amd/cert_chain/ask_ark_milan.pem")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\nVEK_CERTIFICATE\s+FAIL\s+.*subject CN SEV-Milan/);
  });

  it("a bundle whose ARK is not AMD's fails ROOT_TRUSTED", () => {
    const dir = tempDir("cert-bundle");
    const chain = readFileSync(set("azure_milan_hcl", "vcek_chain.pem"), "latin1");
    const blocks = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
    expect(blocks).toHaveLength(3);
    writeFileSync(join(dir, "genoa-ark.pem"), blocks[0]! + blocks[1]! + readFileSync(join(COMMITTED, "amd/ark_genoa.pem"), "latin1"));
    const r = runCli(["verify", "report", ...report, "--cert", join(dir, "genoa-ark.pem")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ROOT_TRUSTED");
  });
});
