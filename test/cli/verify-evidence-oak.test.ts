import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OakEvidenceVerdict } from "../../src/schema/oak-verdict.js";
import { runCli } from "../helpers/cli.js";
import { COMMITTED } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

const testdata = (name: string) => join(COMMITTED, "oak/oak_attestation_verification/testdata", name);
const EVIDENCE = testdata("milan_oc_release_evidence.binarypb");
const ENDORSEMENTS = testdata("milan_oc_release_endorsements.binarypb");
const POLICY = join(COMMITTED, "oak/derived/milan_oc_release_endorsement_reference_values.binarypb");
const oak = (...extra: string[]) => ["verify", "evidence", "--format", "oak", "--evidence", EVIDENCE, "--endorsements", ENDORSEMENTS, "--policy", POLICY, ...extra];

describe("reftrail verify evidence --format oak", () => {
  it("milan_oc_release at 2025-08-01: exit 0, a row per component with its endorsement and log index", () => {
    const r = runCli(oak("--at", "2025-08-01T00:00:00Z"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED Oak evidence \(oak_containers\) at 2025-08-01T00:00:00Z\n/);
    const logIndex = (Object.values(JSON.parse(readFileSync(join(COMMITTED, "oak/derived/milan_oc_release_components/kernel/logentry.json"), "utf8")) as Record<string, { logIndex: number }>)[0]!).logIndex;
    expect(r.stdout).toMatch(new RegExp(`\\nkernel image\\s+DICE layer 0 event \\(Stage0Measurements\\)\\s+pass\\s+.*oak_containers_kernel\\s+${logIndex}\\n`));
    expect(r.stdout).toMatch(/\nstage0 firmware\s+report MEASUREMENT\s+pass\s+/);
    expect(r.stdout).not.toMatch(/failed check/);
  });

  it("at 2025-09-12 (expired endorsements): exit 1, one row per failed check with its reason, one stderr line", () => {
    const r = runCli(oak("--at", "2025-09-12T00:00:00Z"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^NOT VERIFIED Oak evidence/);
    expect(r.stdout).toMatch(/\nfailed check\s+reason\n/);
    expect(r.stdout).toMatch(/\nKERNEL_IMAGE\s+endorsement: endorsement VALIDITY: expired at 2025-09-12T00:00:00Z/);
    expect(r.stderr).toBe("reftrail: not verified: STAGE0, KERNEL_IMAGE, KERNEL_SETUP_DATA, KERNEL_CMDLINE, INITRD, SYSTEM_IMAGE\n");
  });

  it("--json prints the verdict, valid against its schema", () => {
    const r = runCli(oak("--at", "2025-08-01T00:00:00Z", "--json"));
    expect(r.status).toBe(0);
    const verdict = OakEvidenceVerdict.parse(JSON.parse(r.stdout));
    expect(verdict.verified).toBe(true);
    expect(verdict.components.map((c) => c.component)).toContain("kernel command line");
    const failing = runCli(oak("--at", "2025-09-12T00:00:00Z", "--json"));
    expect(failing.status).toBe(1);
    expect(OakEvidenceVerdict.parse(JSON.parse(failing.stdout)).failures).toHaveLength(6);
  });

  it("a truncated or malformed file: exit 2, one line naming the option, the file and the message", () => {
    const dir = tempDir("oak-evidence");
    const truncated = join(dir, "evidence.binarypb");
    writeFileSync(truncated, readFileSync(EVIDENCE).subarray(0, 1000));
    const r = runCli(["verify", "evidence", "--format", "oak", "--evidence", truncated, "--endorsements", ENDORSEMENTS, "--policy", POLICY, "--at", "2025-08-01T00:00:00Z"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`reftrail: error: --evidence ${truncated}: Evidence: not a valid oak.attestation.v1.Evidence message (premature EOF)\n`);

    const notRv = runCli(["verify", "evidence", "--format", "oak", "--evidence", EVIDENCE, "--endorsements", ENDORSEMENTS, "--policy", EVIDENCE, "--json"]);
    expect(notRv.status).toBe(2);
    expect(notRv.stderr).toMatch(new RegExp(`^reftrail: error: --policy ${EVIDENCE}: ReferenceValues: `));
    expect(JSON.parse(notRv.stdout).error.subject).toBe(`--policy ${EVIDENCE}`);
  });

  it("usage errors: exit 2", () => {
    expect(runCli(["verify", "evidence", "--evidence", EVIDENCE]).stderr).toMatch(/required: --format/);
    expect(runCli(["verify", "evidence", "--format", "tdx"]).stderr).toMatch(/invalid choice 'tdx' \(choose from snp, oak\)/);
    const missing = runCli(["verify", "evidence", "--format", "oak", "--evidence", EVIDENCE, "--endorsements", ENDORSEMENTS]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/required: --policy/);
    const noFile = runCli(oak("--at", "2025-08-01T00:00:00Z").map((a) => (a === POLICY ? `${POLICY}.absent` : a)));
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/--policy .*\.absent/);
    expect(runCli(oak("--at", "yesterday")).status).toBe(2);
  });
});
