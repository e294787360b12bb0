import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceValues, type FirmwareValues } from "../src/schema/reference-values.js";
import { runCli } from "./helpers/cli.js";
import { ROOT, fixturePath } from "./helpers/fixtures.js";
import { opensslDigest } from "./helpers/sha.js";
import { readTsv, shellWords } from "./helpers/tsv.js";

/** The README's main job (`npm start`) and the document it commits under reference-values/. */
describe("main job", () => {
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start"]!;
  const command = shellWords(script.split("&&").at(-1)!.trim());
  const args = command.slice(2); // drop "node dist/cli/main.js"
  const outIndex = args.indexOf("--out");
  const committed = join(ROOT, args[outIndex + 1]!);
  const values = ReferenceValues.parse(JSON.parse(readFileSync(committed, "utf8")));

  it("reproduces the committed reference values exactly", () => {
    const out = join(mkdtempSync(join(tmpdir(), "reftrail-main-")), "out.json");
    const result = runCli(args.map((a, i) => (i === outIndex + 1 ? out : a)));
    expect(result.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(committed, "utf8"));
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
