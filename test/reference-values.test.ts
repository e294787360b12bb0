import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceValues, type FirmwareValues } from "../src/schema/reference-values.js";
import { ROOT, fixturePath } from "./helpers/fixtures.js";
import { opensslDigest } from "./helpers/sha.js";
import { readTsv, shellWords } from "./helpers/tsv.js";

/** The README's main job (`npm start` runs scripts/start.sh) and the document it commits under reference-values/. */
describe("main job", () => {
  const committed = join(ROOT, "reference-values/2026.11.0.json");
  const values = ReferenceValues.parse(JSON.parse(readFileSync(committed, "utf8")));

  it("is what npm start runs", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["start"]).toBe("npm run fixtures && bash scripts/start.sh");
  });

  it("measures, endorses, publishes and verifies offline; reproduces the committed reference values; re-runs change nothing", () => {
    const scratch = mkdtempSync(join(tmpdir(), "reftrail-main-"));
    const env = { ...process.env, REFTRAIL_HOME: join(scratch, "home"), REFTRAIL_VALUES: join(scratch, "values.json") };
    const run = () => spawnSync("bash", [join(ROOT, "scripts/start.sh")], { env, encoding: "utf8" });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(env.REFTRAIL_VALUES, "utf8")).toBe(readFileSync(committed, "utf8"));
    expect(first.stdout).toContain("5 signed, 0 unchanged");
    expect(first.stdout).toContain("5 logged");
    expect(first.stdout).toMatch(/VERIFIED .*5\/5 components/);
    // The whole loop: evidence from a test-only hierarchy (named as such) verified against the log.
    const verdicts = first.stdout.split("\n").filter((l) => l.includes("SEV-SNP evidence"));
    expect(verdicts).toEqual([
      expect.stringMatching(/^VERIFIED SEV-SNP evidence \(Milan, VCEK, root reftrail TEST ARK — not AMD .*\): MEASUREMENT .* is QEMU, 4 vCPUs, EPYC-Milan .*, firmware only$/),
      expect.stringMatching(/^VERIFIED SEV-SNP evidence \(Milan, VCEK, root reftrail TEST ARK — not AMD .*\): MEASUREMENT .* is QEMU, 8 vCPUs, EPYC-Milan .*, kernel hashes$/),
    ]);
    // Debian's OVMF binds only itself; the AmdSev release binds every component.
    expect(first.stdout).toMatch(/\nlinux-cloud +SKIPPED +not in any launch digest .*no kernel-hashes table/);
    expect(first.stdout).toMatch(/\nlinux-cloud +VERIFIED +kernel-hashes table in the launch digest/);
    expect(first.stdout).toMatch(/\ncmdline +VERIFIED +kernel-hashes table in the launch digest \(with its NUL\)/);
    const sig = readFileSync(join(env.REFTRAIL_HOME, "endorsements/2026.11.0/ovmf/endorsement.json.sig"));
    const second = run();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain("0 signed, 5 unchanged");
    expect(second.stdout).toContain("0 logged, 0 already in the log, 5 unchanged");
    expect(readFileSync(join(env.REFTRAIL_HOME, "endorsements/2026.11.0/ovmf/endorsement.json.sig")).equals(sig)).toBe(true);
  });

  describe("started directly (bash scripts/start.sh), not through npm", () => {
    // npm puts node_modules/.bin first on PATH; a shell does not, and its `node` may be the system's
    // older one (Node 20 here, without node:sqlite). A stand-in that refuses to run proves that no
    // `node` from PATH is used; the system's own node, when there is one, is the real-world case.
    const withoutNpm = (process.env["PATH"] ?? "").split(delimiter).filter((d) => d !== "" && !d.includes("node_modules"));
    const decoy = mkdtempSync(join(tmpdir(), "reftrail-decoy-node-"));
    writeFileSync(join(decoy, "node"), "#!/bin/sh\necho \"decoy node called: $*\" >&2\nexit 97\n", { mode: 0o755 });
    const systemNode = withoutNpm.find((d) => existsSync(join(d, "node")));
    const firstNodes = [decoy, ...(systemNode !== undefined ? [systemNode] : [])];

    it.each(firstNodes)("runs the whole job on the project's Node 24 with %s/node first on PATH", (first) => {
      const scratch = mkdtempSync(join(tmpdir(), "reftrail-main-direct-"));
      const env = { ...process.env, PATH: [first, ...withoutNpm].join(delimiter), REFTRAIL_HOME: join(scratch, "home"), REFTRAIL_VALUES: join(scratch, "values.json") };
      const r = spawnSync("bash", [join(ROOT, "scripts/start.sh")], { env, encoding: "utf8" });
      expect(r.stderr).not.toContain("decoy node called");
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/VERIFIED .*5\/5 components/);
    });

    it("without npm install: one line saying to run it, exit 2, nothing run", () => {
      const project = mkdtempSync(join(tmpdir(), "reftrail-not-installed-"));
      mkdirSync(join(project, "scripts"));
      copyFileSync(join(ROOT, "scripts/start.sh"), join(project, "scripts/start.sh"));
      const missingNode = spawnSync("bash", [join(project, "scripts/start.sh")], { env: { ...process.env, PATH: [decoy, ...withoutNpm].join(delimiter) }, encoding: "utf8" });
      expect(missingNode.status).toBe(2);
      expect(missingNode.stdout).toBe("");
      expect(missingNode.stderr.trim().split("\n")).toHaveLength(1);
      expect(missingNode.stderr).toMatch(/node_modules\/\.bin\/node.*npm install/);
      // Node present but never built: the same advice, naming what is missing.
      mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
      symlinkSync(process.execPath, join(project, "node_modules/.bin/node"));
      const missingBuild = spawnSync("bash", [join(project, "scripts/start.sh")], { encoding: "utf8" });
      expect(missingBuild.status).toBe(2);
      expect(missingBuild.stderr.trim().split("\n")).toHaveLength(1);
      expect(missingBuild.stderr).toMatch(/dist\/cli\/main\.js.*npm install/);
    });
  });

  it("carries the oracle's launch digests for the Debian firmware", () => {
    const firmware = values.components.find((c): c is FirmwareValues => c.kind === "firmware")!;
    const rows = readTsv("launch-digests/oracle-visible.tsv").filter(
      (r) => r["ovmf_file"] === "firmware/OVMF.fd" && r["kernel_sha256"] === "-" && ["snp", "seves", "sev"].includes(r["mode"]!),
    );
    let matched = 0;
    for (const row of rows) {
      const argv = shellWords(row["command"]!);
      const vmm = argv.includes("--vmm-type") ? argv[argv.indexOf("--vmm-type") + 1] : "QEMU";
      for (const entry of firmware.launchDigests) {
        if (entry.mode !== row["mode"]) continue;
        if (entry.mode === "sev") {
          if (entry.digest === row["expected_digest_hex"]) matched++;
          continue;
        }
        const sameVmm = entry.vmmType === vmm;
        const sameType = entry.vmmType !== "QEMU" || entry.vcpuType === row["vcpu_type"];
        const sameFeatures = entry.mode === "seves" || entry.guestFeatures === row["guest_features"];
        if (sameVmm && sameType && sameFeatures && entry.digests[row["vcpus"]!] !== undefined) {
          expect(entry.digests[row["vcpus"]!], row["command"]).toBe(row["expected_digest_hex"]);
          matched++;
        }
      }
    }
    expect(matched).toBeGreaterThanOrEqual(8);
    expect(firmware.layout.snpFirmwareDigest).toBe(
      readTsv("launch-digests/oracle-visible.tsv").find((r) => r["mode"] === "snp:ovmf-hash" && r["ovmf_file"] === "firmware/OVMF.fd")!["expected_digest_hex"],
    );
  });

  it("records file digests that openssl agrees with", () => {
    const byName = new Map(values.components.map((c) => [c.name, c]));
    expect(byName.get("ovmf")!.subject.digest.sha256).toBe(opensslDigest("sha256", fixturePath("firmware/OVMF.fd")));
    const vars = byName.get("ovmf-vars")!;
    for (const a of ["sha256", "sha384", "sha512"] as const) expect(vars.subject.digest[a]).toBe(opensslDigest(a, fixturePath("firmware/OVMF_VARS.fd")));
    expect(byName.get("linux-cloud")!.subject.digest.sha384).toBe(opensslDigest("sha384", fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64")));
  });
});
