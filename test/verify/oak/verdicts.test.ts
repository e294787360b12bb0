import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OakEvidenceVerdict } from "../../../src/schema/oak-verdict.js";
import { verifyOakEvidence } from "../../../src/verify/oak/verifier.js";
import { DERIVED, FAKE_TEST_TIME, OAK_TEST_TIME, RELEASE_TIME, at, derivedReferenceValues, encodeReferenceValues, loadSet, ownReferenceValues, releaseCmdline, skipReferenceValues } from "./sets.js";

/** Oak's verdicts on its real sets (spec §12.1, §12.3). */

const row = (v: OakEvidenceVerdict, component: string) => v.components.find((r) => r.component === component)!;
/** The logIndex of a component's real Rekor entry, read from the split-out logentry.json. */
const logIndexOf = (component: string): number => {
  const entry = JSON.parse(readFileSync(join(DERIVED, "milan_oc_release_components", component, "logentry.json"), "utf8")) as Record<string, { logIndex: number }>;
  return Object.values(entry)[0]!.logIndex;
};

describe("milan_oc_release with the derived endorsement reference values", () => {
  const inputs = loadSet("milan_oc_release", derivedReferenceValues("milan_oc_release"));

  it("verifies at 2025-08-01T00:00:00Z, every endorsed component bound and matched", () => {
    const v = verifyOakEvidence(inputs, RELEASE_TIME);
    expect(OakEvidenceVerdict.parse(v)).toEqual(v);
    expect(v.failures).toEqual([]);
    expect(v.verified).toBe(true);
    expect(v.evidenceType).toBe("oak_containers");
    // Values Oak's data gives (spec §12.2), found in the evidence and matched by the endorsements.
    expect(row(v, "stage0 firmware")).toMatchObject({ status: "passed", boundBy: "report MEASUREMENT", endorsement: { subject: "stage0_bin", logIndex: logIndexOf("stage0") } });
    expect(row(v, "stage0 firmware").found).toMatch(/^sha2_384:195b01b7/);
    expect(row(v, "kernel image")).toMatchObject({ status: "passed", endorsement: { subject: "oak_containers_kernel", logIndex: logIndexOf("kernel") } });
    expect(row(v, "kernel image").found).toMatch(/^sha2_256:936f0a00/);
    expect(row(v, "kernel setup data").found).toMatch(/^sha2_256:5a5a32aa/);
    expect(row(v, "initial RAM disk")).toMatchObject({ status: "passed", endorsement: { subject: "oak_containers_stage1", logIndex: logIndexOf("init_ram_fs") } });
    expect(row(v, "initial RAM disk").found).toMatch(/^sha2_256:a71ab401/);
    expect(row(v, "system image")).toMatchObject({ status: "passed", boundBy: "DICE layer 1 event (SystemLayerData)", endorsement: { logIndex: logIndexOf("system_image") } });
    expect(row(v, "system image").found).toMatch(/^sha2_256:06a6ead2/);
    expect(row(v, "kernel command line")).toMatchObject({ status: "passed", found: releaseCmdline(), endorsement: { logIndex: logIndexOf("kernel_cmd_line") } });
    expect(row(v, "memory map").status).toBe("skipped");
    expect(row(v, "ACPI tables").status).toBe("skipped");
    for (const check of ["VEK_SIGNATURE", "REPORT_SIGNATURE", "ECA_KEY_BINDING", "DICE_LAYER_SIGNATURES", "EVENT_BINDING", "APPLICATION_KEYS", "POLICY_TCB_REPORTED"]) {
      expect(v.checks.find((c) => c.check === check)?.status, check).toBe("passed");
    }
  });

  it("fails at 2025-09-12T00:00:00Z: all six endorsements have expired", () => {
    const v = verifyOakEvidence(inputs, OAK_TEST_TIME);
    expect(v.verified).toBe(false);
    expect(v.failures).toEqual(["STAGE0", "KERNEL_IMAGE", "KERNEL_SETUP_DATA", "KERNEL_CMDLINE", "INITRD", "SYSTEM_IMAGE"]);
    for (const f of v.failures) expect(v.checks.find((c) => c.check === f)!.detail).toMatch(/VALIDITY: expired/);
  });

  it("holds up to the first notAfter (inclusive) and not 1 ms later", () => {
    expect(verifyOakEvidence(inputs, at("2025-09-01T02:17:35.967Z")).verified).toBe(true);
    expect(verifyOakEvidence(inputs, at("2025-09-01T02:17:35.968Z")).failures).toEqual(["KERNEL_IMAGE", "KERNEL_SETUP_DATA"]);
  });

  it("is stricter than Oak before the last entry was logged: an entry integrated after the verification time fails LOG_TIME", () => {
    // Oak accepts any time from the last notBefore (2025-06-05T19:50:18.337Z); the command-line
    // entry was integrated at 2025-06-05T19:50:47Z, and reftrail refuses a log time in the future.
    const early = verifyOakEvidence(inputs, at("2025-06-05T19:50:18.337Z"));
    expect(early.failures).toEqual(["KERNEL_CMDLINE"]);
    expect(early.checks.find((c) => c.check === "KERNEL_CMDLINE")!.detail).toMatch(/LOG_TIME: logged at 2025-06-05T19:50:47Z/);
    expect(verifyOakEvidence(inputs, at("2025-06-05T19:50:47Z")).verified).toBe(true);
    expect(verifyOakEvidence(inputs, at("2025-06-05T19:50:18.336Z")).failures).toContain("KERNEL_CMDLINE");
  });
});

describe("Oak's own reference values (spec §12.1)", () => {
  it("milan_oc_release verifies at 1757635200000 with create_oc_reference_values()", () => {
    const v = verifyOakEvidence(loadSet("milan_oc_release", encodeReferenceValues(skipReferenceValues("oakContainers", releaseCmdline()))), OAK_TEST_TIME);
    expect(v.failures).toEqual([]);
    expect(row(v, "kernel command line").status).toBe("passed");
    expect(row(v, "stage0 firmware").status).toBe("skipped");
  });

  it("milan_oc_staging verifies with milan_oc_staging_reference_values (endorsements, tlog skip)", () => {
    const v = verifyOakEvidence(loadSet("milan_oc_staging", ownReferenceValues("milan_oc_staging")), OAK_TEST_TIME);
    expect(v.failures).toEqual([]);
    expect(row(v, "stage0 firmware").endorsement).toEqual({ subject: "stage0_bin" });
  });

  it("milan_rk_staging verifies with milan_rk_staging_reference_values; its second event is bound in the encryption key certificate", () => {
    const v = verifyOakEvidence(loadSet("milan_rk_staging", ownReferenceValues("milan_rk_staging")), OAK_TEST_TIME);
    expect(v.failures).toEqual([]);
    expect(v.evidenceType).toBe("oak_restricted_kernel");
    expect(v.checks.find((c) => c.check === "EVENT_BINDING")!.status).toBe("passed");
  });

  it("milan_rk_release verifies with create_rk_reference_values()", () => {
    const v = verifyOakEvidence(loadSet("milan_rk_release", encodeReferenceValues(skipReferenceValues("oakRestrictedKernel"))), OAK_TEST_TIME);
    expect(v.failures).toEqual([]);
  });

  it("genoa_oc and turin_oc verify with their digest reference values", () => {
    for (const set of ["genoa_oc", "turin_oc"]) {
      const v = verifyOakEvidence(loadSet(set, ownReferenceValues(set)), OAK_TEST_TIME);
      expect(v.failures, set).toEqual([]);
      expect(v.components.filter((r) => r.status === "passed").length, set).toBeGreaterThan(5);
    }
  });

  it("fake (TEE_PLATFORM_NONE) verifies with insecure reference values, digest or endorsement based, at 1758075793500", () => {
    for (const rv of [ownReferenceValues("fake"), derivedReferenceValues("fake")]) {
      const v = verifyOakEvidence(loadSet("fake", rv), FAKE_TEST_TIME);
      expect(v.failures).toEqual([]);
      expect(v.checks.find((c) => c.check === "ROOT_PLATFORM")!.actual).toMatch(/TEE_PLATFORM_NONE accepted by root_layer.insecure/);
      expect(row(v, "stage0 firmware").status).toBe("skipped");
    }
  });

  it("fake never verifies under AMD reference values", () => {
    const v = verifyOakEvidence(loadSet("fake", derivedReferenceValues("milan_oc_release")), FAKE_TEST_TIME);
    expect(v.verified).toBe(false);
    expect(v.failures).toContain("ROOT_PLATFORM");
  });
});
