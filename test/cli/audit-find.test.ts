import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MeasurementFinding } from "../../src/schema/audit-find.js";
import { amdsevOracle, copyFolder, endorseAmdsev } from "../helpers/amdsev-releases.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { serveLogProcess } from "../helpers/serve.js";
import { tempDir } from "../helpers/tlog.js";

/**
 * `reftrail audit find` against MEASUREMENT values printed by sev-snp-measure (amdsev-visible.tsv,
 * never reftrail's output) for the AmdSev firmware with the Debian kernel and initrd: two releases
 * are endorsed and logged, 2026.11.0 booting "… ro quiet" and 2026.12.0 "… rw quiet", so the row's
 * arguments say which release and configuration the answer must be.
 */
const oracle = amdsevOracle;

let home: string;
let registry: string;

const find = (args: readonly string[]) => runCli(["audit", "find", "--key-registry", registry, ...args]);
/** The JSON output, read with its own schema (schemas/audit-find.json). */
const parsed = (r: CliResult) => MeasurementFinding.parse(JSON.parse(r.stdout));

beforeAll(() => {
  home = tempDir("audit-find");
  registry = endorseAmdsev(home, "2026.11.0", "console=ttyS0 root=/dev/vda1 ro quiet").endorsed.registry;
  endorseAmdsev(home, "2026.12.0", "console=ttyS0 root=/dev/vda1 rw quiet");
}, 300_000);

describe("audit find", () => {
  it("255 vCPUs, EPYC-v4, QEMU, ro quiet: release 2026.11.0 with its kernel, initrd and command line", () => {
    const r = find(["--measurement", oracle("--vcpus 255 ", "EPYC-v4", "ro quiet"), "--log", join(home, "log"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const f = parsed(r);
    expect(f.found?.release).toMatch(/ 2026\.11\.0$/);
    expect(f.found?.configuration).toMatchObject({ vmm: "QEMU", vcpus: 255, guestFeatures: "0x1", kernelHashes: true });
    // EPYC-v4 shares its signature with other models: the answer names every one the measurement cannot tell apart.
    expect(f.found?.vcpuTypes).toContain("EPYC-v4");
    expect(f.found?.kernel).toBeDefined();
    expect(f.searched.releases).toHaveLength(2);
  });

  it("1 vCPU, EPYC-Rome, guest features 0x21, rw quiet: release 2026.12.0", () => {
    const r = find(["--measurement", oracle("--vcpus 1 ", "EPYC-Rome", "0x21", "rw quiet"), "--log", join(home, "log"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(parsed(r).found).toMatchObject({ release: expect.stringMatching(/ 2026\.12\.0$/), configuration: { vmm: "QEMU", vcpus: 1, guestFeatures: "0x21", kernelHashes: true }, vcpuTypes: expect.arrayContaining(["EPYC-Rome"]) });
  });

  it("256 vCPUs on gce, rw quiet, from the published folders (--endorsements with the log's key): release 2026.12.0", () => {
    const r = find(["--measurement", oracle("--vcpus 256 ", "gce", "rw quiet"), "--endorsements", join(home, "endorsements"), "--rekor-key", join(home, "log", "log-public-key.pem"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(parsed(r).found).toMatchObject({ release: expect.stringMatching(/ 2026\.12\.0$/), configuration: { vmm: "gce", vcpus: 256, kernelHashes: true } });
  });

  it("over a Rekor v1 server with the statements from --endorsements", async () => {
    const served = await serveLogProcess(join(home, "log"));
    try {
      const args = ["--rekor-url", served.url, "--rekor-key", join(home, "log", "log-public-key.pem"), "--json"];
      const r = find(["--measurement", oracle("--vcpus 1 ", "EPYC-Rome", "0x21", "rw quiet"), ...args, "--endorsements", join(home, "endorsements")]);
      expect(r.status, r.stderr).toBe(0);
      expect(parsed(r).found?.release).toMatch(/ 2026\.12\.0$/);
      // A Rekor log holds only the statements' hashes: without them there is nothing to search.
      expect(find(["--measurement", oracle("--vcpus 1 ", "EPYC-Rome", "0x21", "rw quiet"), ...args]).status).toBe(2);
    } finally {
      await served.stop();
    }
  });

  it("the human answer names release and configuration", () => {
    const r = find(["--measurement", oracle("--vcpus 255 ", "EPYC-v4", "ro quiet"), "--log", join(home, "log")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^FOUND .* is release .*2026\.11\.0/);
    expect(r.stdout).toMatch(/configuration VMM QEMU, 255 vCPUs, vCPU \S*EPYC-v4\S* \(signature 0x[0-9a-f]+\), guest features 0x1, kernel hashes/);
  });

  it("a digest no endorsed combination produces: exit 1, saying what was searched", () => {
    for (const measurement of [oracle("--vcpus 4 ", "EPYC-Milan --kernel"), oracle("--vcpus 32 ", "' console=ttyS0 '")]) {
      const r = find(["--measurement", measurement, "--log", join(home, "log")]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^NOT FOUND/);
      expect(r.stdout).toMatch(/searched: 2 releases/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    const sev = find(["--measurement", "ab".repeat(32), "--log", join(home, "log"), "--json"]);
    expect(sev.status).toBe(1);
    expect(parsed(sev).mode).toBe("sev/seves");
  });

  it("an endorsement that does not verify is refused and listed, its values never searched", () => {
    const folders = copyFolder(join(home, "endorsements"), join(home, "tampered-endorsements"));
    const statement = join(folders, "2026.12.0", "ovmf-amdsev", "endorsement.json");
    writeFileSync(statement, readFileSync(statement, "utf8").replace(/2026\.12\.0/g, "2026.12.1"));
    const args = ["--endorsements", folders, "--rekor-key", join(home, "log", "log-public-key.pem"), "--json"];
    const r = find(["--measurement", oracle("--vcpus 1 ", "EPYC-Rome", "0x21", "rw quiet"), ...args]);
    expect(r.status).toBe(1);
    const f = parsed(r);
    // Both forms of the folder (logentry.json and the Sigstore bundle) carry the changed statement.
    const refused = expect.objectContaining({ source: expect.stringMatching(/^2026\.12\.0\/ovmf-amdsev\//), refused: expect.objectContaining({ check: "STATEMENT_SIGNATURE" }) });
    expect(f.refused).toEqual([refused, refused]);
    expect(f.searched.notSearched).toEqual([expect.stringMatching(/2026\.12\.0: no firmware endorsement/)]);
    expect(find(["--measurement", oracle("--vcpus 255 ", "EPYC-v4", "ro quiet"), ...args]).status).toBe(0);
  });

  it("bad input exits 2", () => {
    expect(find(["--measurement", "zz", "--log", join(home, "log")]).status).toBe(2);
    expect(find(["--measurement", "ab".repeat(48), "--endorsements", join(home, "endorsements")]).status).toBe(2);
    expect(find(["--measurement", "ab".repeat(48), "--rekor-url", "http://127.0.0.1:9"]).status).toBe(2);
    expect(find(["--measurement", "ab".repeat(48)]).status).toBe(2);
  });
});
