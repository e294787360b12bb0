import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ComposeReport } from "../../src/schema/launch-digest-report.js";
import { runCli } from "../helpers/cli.js";
import { fixturePath } from "../helpers/fixtures.js";
import { readOracleRows } from "../helpers/tsv.js";
import { expectRejected } from "../helpers/expect.js";

/**
 * Composition must equal the full computation: every oracle and upstream row that boots a kernel in
 * snp mode is recomputed from a reference-values document of its firmware alone, with the row's own
 * kernel, initrd and command-line digests, and must give the row's expected digest. The AmdSev
 * suffix rows and the full AmdSevX64 build (amdsev-visible.tsv) each get their own document.
 */
const dir = mkdtempSync(join(tmpdir(), "reftrail-compose-"));
const referenceValues = join(dir, "rv.json");
/** A release manifest written into `dir`: one AmdSev firmware, and any further components. */
function writeManifest(file: string, firmware: string, version: string, more: readonly object[] = []): string {
  const path = join(dir, file);
  const components = [{ name: "amdsev", kind: "firmware", version, path: fixturePath(firmware), launchDigests: [{ mode: "snp", vcpus: "1", vmmTypes: ["gce"] }] }, ...more];
  writeFileSync(path, JSON.stringify({ version: 1, release: { name: file.replace(/\.json$/, ""), version: "1" }, components }));
  return path;
}
const manifest = writeManifest("release.json", "firmware/ovmf_AmdSev_suffix.bin", "edk2-stable202405", [
  { name: "debian", kind: "kernel", version: "6.1", path: fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64"), initrd: "initrd", cmdline: "cmdline" },
  { name: "initrd", kind: "initrd", version: "1", path: fixturePath("kernel/initrd.img") },
  { name: "cmdline", kind: "cmdline", version: "1", value: "console=ttyS0 root=/dev/vda1 ro quiet" },
]);
const fullManifest = writeManifest("amdsev-full-release.json", "firmware/OVMF.amdsev.fd", "edk2-2025.02-8+deb13u1");
/** The reference-values document composition starts from, per firmware file named by the rows. */
const documents: Record<string, string> = {
  "firmware/ovmf_AmdSev_suffix.bin": referenceValues,
  "firmware/OVMF.amdsev.fd": join(dir, "amdsev-full-rv.json"),
};

describe("reftrail measure compose", () => {
  it("the firmware's reference values are produced first", () => {
    expect(runCli(["measure", "release", "--manifest", manifest, "--out", referenceValues]).status).toBe(0);
    expect(runCli(["measure", "release", "--manifest", fullManifest, "--out", documents["firmware/OVMF.amdsev.fd"]!]).status).toBe(0);
  });

  const tables = ["launch-digests/oracle-visible.tsv", "launch-digests/upstream-test-vectors.tsv", "launch-digests/amdsev-visible.tsv"];
  const rows = tables.flatMap(readOracleRows).filter((r) => r.option("--mode") === "snp" && r.option("--kernel") !== undefined);
  it("covers the kernel-hashes rows of the three tables", () => {
    expect(rows.length).toBeGreaterThanOrEqual(29);
    expect(rows.filter((r) => r.option("--ovmf") === "firmware/OVMF.amdsev.fd").length).toBe(9);
  });

  rows.forEach((row) => {
    it(`${row.args.join(" ")}`, () => {
      const document = documents[row.option("--ovmf")!];
      expect(document).toBeDefined();
      const kernel = row.fileSha256("kernel")!;
      const initrd = row.fileSha256("initrd");
      const append = row.columns["append"] ?? row.option("--append");
      const args = ["measure", "compose", "--reference-values", document!, "--vcpus", row.option("--vcpus")!, "--kernel-digest", kernel];
      if (initrd !== undefined) args.push("--initrd-digest", initrd);
      if (append !== undefined && append !== "-") args.push(`--cmdline=${append}`);
      for (const f of ["--vcpu-type", "--vmm-type", "--guest-features", "--vcpu-sig"]) if (row.option(f) !== undefined) args.push(f, row.option(f)!);
      const result = runCli(args);
      expect(result.stderr.replace(/^reftrail: warning: .*\n/gm, "")).toBe("");
      expect(result.stdout.trim()).toBe(row.expected);
    });
  });

  it("--boot takes the kernel-hashes entries of a kernel component of the document", () => {
    const result = runCli(["measure", "compose", "--reference-values", referenceValues, "--boot", "debian", "--vcpus", "2", "--vcpu-type", "EPYC-Milan", "--guest-features", "0x21", "--json"]);
    const report = ComposeReport.parse(JSON.parse(result.stdout));
    // launch-digest spec §11.3 golden value for this kernel, initrd and command line.
    expect(report.configurations[0]!.digests["2"]).toBe("8093af448b7d04ce34d65920d77fe9c4a8913f2c135bbd12367a5fcd06b6ec40521e51baf548d382ad2eb1ea85f02216");
    expect(report.boot?.cmdlineValue).toBe("console=ttyS0 root=/dev/vda1 ro quiet");
  });

  it("refuses a kernel for a firmware without a kernel-hashes section", () => {
    const debian = join(dir, "debian.json");
    writeFileSync(join(dir, "debian-release.json"), JSON.stringify({
      version: 1, release: { name: "d", version: "1" },
      components: [{ name: "ovmf", kind: "firmware", version: "1", path: fixturePath("firmware/OVMF.fd"), launchDigests: [{ mode: "snp", vcpus: "1", vmmTypes: ["gce"] }] }],
    }));
    expect(runCli(["measure", "release", "--manifest", join(dir, "debian-release.json"), "--out", debian]).status).toBe(0);
    expectRejected(
      runCli(["measure", "compose", "--reference-values", debian, "--vcpus", "1", "--vmm-type", "gce", "--kernel-digest", "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275"]),
      "SNP_KERNEL_HASHES",
    );
  });

  it("refuses a document whose kernel-hashes entries disagree with the kernel's own values", () => {
    const doc = JSON.parse(readFileSync(referenceValues, "utf8")) as { components: { kind: string; qemuKernelHashes?: { cmdline: string } }[] };
    doc.components.find((c) => c.kind === "kernel")!.qemuKernelHashes!.cmdline = "00".repeat(32);
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(doc));
    expectRejected(runCli(["measure", "compose", "--reference-values", tampered, "--boot", "debian", "--vcpus", "1", "--vmm-type", "gce"]), "tampered.json", "cmdline entry");
  });

  it("names the document when its firmware layout is out of range", () => {
    const doc = JSON.parse(readFileSync(referenceValues, "utf8")) as { components: { kind: string; layout?: { gpa: string } }[] };
    doc.components.find((c) => c.kind === "firmware")!.layout!.gpa = "0xffffffffffffffffff";
    const tampered = join(dir, "layout.json");
    writeFileSync(tampered, JSON.stringify(doc));
    expectRejected(runCli(["measure", "compose", "--reference-values", tampered, "--vcpus", "1", "--vmm-type", "gce"]), "layout.json", "out of range");
  });

  it("warns about 0 vCPUs, in the JSON too", () => {
    const result = runCli(["measure", "compose", "--reference-values", referenceValues, "--vcpus", "0", "--vmm-type", "gce", "--json"]);
    expect(ComposeReport.parse(JSON.parse(result.stdout)).warnings.join(" ")).toContain("--vcpus 0");
  });

  it("rejects malformed digests and inconsistent options", () => {
    const base = ["measure", "compose", "--reference-values", referenceValues, "--vcpus", "1", "--vmm-type", "gce"];
    expectRejected(runCli([...base, "--kernel-digest", "abc"]), "--kernel-digest", "64 hex digits");
    expectRejected(runCli([...base, "--initrd-digest", "9d76d40ecbf1604f0f9d8035e2a7dd9fa5aa938ab66eb4bf23abe90eb4d95fff"]), "--kernel-digest required");
    expectRejected(runCli([...base, "--boot", "debian", "--cmdline", "x"]), "--boot", "--cmdline");
    expectRejected(runCli([...base, "--boot", "nope"]), "--boot", "nope");
    expectRejected(runCli([...base, "--firmware", "nope"]), "--firmware", "nope");
    expectRejected(runCli([...base, "--kernel-digest", "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275", "--cmdline-digest", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "--cmdline-trim"]), "--cmdline-trim");
    expectRejected(runCli([...base, "--cmdline-trim"]), "--cmdline-trim");
    expectRejected(runCli([...base, "--boot", "debian", "--cmdline-trim"]), "--cmdline-trim");
    expectRejected(runCli(["measure", "compose", "--reference-values", manifest, "--vcpus", "1", "--vmm-type", "gce"]), "--reference-values", "release.json");
  });
});
