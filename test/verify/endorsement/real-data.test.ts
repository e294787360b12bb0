import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKeyRegistry } from "../../../src/keys/registry.js";
import { loggedFromLogEntry, loggedFromBundle } from "../../../src/tlog/read-logged.js";
import { verifyEndorsement } from "../../../src/verify/endorsement/verifier.js";
import { rekorV1Logs } from "../../../src/tlog/trusted-root.js";
import { parseRfc3339 } from "../../../src/util/rfc3339.js";
import { COMMITTED, ROOT } from "../../helpers/fixtures.js";
import { PUBLIC_GOOD, committed, committedKey, keyPolicy, msInstant, oakTestdata } from "../../helpers/endorse.js";
import { readFileSync } from "node:fs";
import type { EndorsementPolicy } from "../../../src/verify/endorsement/policy.js";

/** Times and verdicts from ../shared/fixtures/README.md (§6), not from the code under test. */
const OAK_TEST_TIME = 1724881632067; // Oak's own time for testdata/endorsement.json
const OAK_NOT_BEFORE = 1709113632067;
const OAK_NOT_AFTER = 1740649632067;
const OAK_INTEGRATED = 1726762760; // seconds

describe("Oak testdata endorsement with its real public-good Rekor entry", () => {
  const { evidence, key } = oakTestdata();

  it("verifies with the real Rekor key after its integration time (2024-10-01)", () => {
    const verdict = verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], parseRfc3339("2024-10-01T00:00:00Z")!));
    expect(verdict.failure).toBeUndefined();
    expect(verdict.verified).toBe(true);
    // Every check that applies ran and passed; none was skipped silently.
    const statuses = Object.fromEntries(verdict.checks.map((c) => [c.check, c.status]));
    for (const check of ["STATEMENT_SIGNATURE", "STATEMENT_TYPE", "VALIDITY", "LOG_ID", "SET", "ENTRY_ID", "BODY_KIND", "BODY_HASH", "BODY_KEY", "BODY_SIGNATURE", "CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF", "LOG_TIME"]) {
      expect(statuses[check], check).toBe("passed");
    }
    expect(verdict.logEntry?.treeId).toBe("1193050959916656506");
    expect(verdict.logEntry?.logIndex).toBe(132193865);
    expect(verdict.endorsement?.subject.digest["sha256"]).toBe("18c34d8cc737fb5709a99acb073cdc5ed8a404503f626cea6e0bad0a406002fc");
  });

  it("validity bounds are inclusive at millisecond precision", () => {
    const at = (ms: number) => verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], msInstant(ms)));
    expect(at(OAK_NOT_AFTER).verified).toBe(true);
    expect(at(OAK_NOT_AFTER + 1).failure?.check).toBe("VALIDITY");
    expect(at(OAK_NOT_BEFORE - 1).failure?.check).toBe("VALIDITY");
    // At notBefore the statement is valid; the entry, logged later, is from the future: LOG_TIME.
    const atStart = at(OAK_NOT_BEFORE);
    expect(atStart.checks.find((c) => c.check === "VALIDITY")?.status).toBe("passed");
    expect(atStart.failure?.check).toBe("LOG_TIME");
  });

  it("rejects at Oak's own test time: the entry was integrated after it", () => {
    const verdict = verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], msInstant(OAK_TEST_TIME)));
    expect(verdict.failure?.check).toBe("LOG_TIME");
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], msInstant(OAK_INTEGRATED * 1000))).verified).toBe(true);
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], msInstant(OAK_INTEGRATED * 1000 - 1))).failure?.check).toBe("LOG_TIME");
  });

  it("claims and subject digest are checked against what the caller requires", () => {
    const base = parseRfc3339("2024-10-01T00:00:00Z")!;
    const claim1 = "https://project-oak.github.io/oak/test_claim_1";
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { requiredClaims: [claim1, "https://project-oak.github.io/oak/test_claim_2"] })).verified).toBe(true);
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { requiredClaims: [claim1, "https://project-oak.github.io/oak/test_claim_3"] })).failure?.check).toBe("CLAIMS");
    const digest = "18c34d8cc737fb5709a99acb073cdc5ed8a404503f626cea6e0bad0a406002fc";
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { subjectDigest: { hex: digest.toUpperCase() } })).verified).toBe(true);
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { subjectDigest: { algorithm: "sha256", hex: digest } })).verified).toBe(true);
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { subjectDigest: { hex: digest.replace(/^1/, "2") } })).failure?.check).toBe("SUBJECT_DIGEST");
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { subjectDigest: { hex: "ab".repeat(48) } })).failure?.check).toBe("SUBJECT_DIGEST");
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { component: "oak_orchestrator" })).verified).toBe(true);
    expect(verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], base, { component: "stage0_bin" })).failure?.check).toBe("COMPONENT");
  });

  it("the public-good trusted root gives the same verdict, with the log key's validity", () => {
    const logs = rekorV1Logs(committed("sigstore/public-good-trusted_root.json").toString("utf8"), "trusted_root.json").map((l) => ({ ...l, source: l.baseUrl }));
    expect(logs).toHaveLength(1);
    expect(logs[0]!.name).toBe("rekor.sigstore.dev");
    expect(verifyEndorsement(evidence, keyPolicy(key, logs, parseRfc3339("2024-10-01T00:00:00Z")!)).verified).toBe(true);
    const notYet = [{ ...logs[0]!, validFor: { start: msInstant(OAK_INTEGRATED * 1000 + 1000) } }];
    expect(verifyEndorsement(evidence, keyPolicy(key, notYet, parseRfc3339("2024-10-01T00:00:00Z")!)).failure?.check).toBe("LOG_TIME");
  });

  it("an empty or different Rekor key set rejects it", () => {
    expect(verifyEndorsement(evidence, keyPolicy(key, [], parseRfc3339("2024-10-01T00:00:00Z")!)).failure?.check).toBe("LOG_ID");
  });
});

/** Oak's release endorsements, each with its real Rekor entry; keys per normative clarification 4. */
describe("Oak release components (oak/derived/*_components)", () => {
  const registry = parseKeyRegistry(readFileSync(join(ROOT, "examples/oak-key-registry.json"), "utf8"), "oak-key-registry.json");
  const registryPolicy = (at: bigint): EndorsementPolicy => ({ keys: { kind: "registry", registry, source: "oak-key-registry.json" }, logs: [PUBLIC_GOOD], at, requiredClaims: [], allowSetOnly: false });
  const KEY_FILE: Record<string, string> = {
    init_ram_fs: "oak_containers_stage1",
    kernel: "oak_containers_kernel",
    kernel_cmd_line: "oak_containers_kernel_cmd_line_regex",
    stage0: "stage0_bin",
    system_image: "oak_containers_system_image",
  };
  // Times from the fixtures manifest: milan_oc_release valid at 1754006400000, expired at 1757635200000; fake at 1758075793500.
  const sets = [
    { set: "milan_oc_release", at: 1754006400000, expiredAt: 1757635200000 },
    { set: "fake", at: 1758075793500, expiredAt: Date.parse("2026-01-01T00:00:00Z") },
    { set: "milan_rk_release", at: 1754006400000, expiredAt: 1757635200000 },
  ];
  for (const { set, at, expiredAt } of sets) {
    const root = join(COMMITTED, "oak/derived", `${set}_components`);
    for (const component of readdirSync(root).sort()) {
      const dir = join(root, component);
      if (!existsSync(join(dir, "logentry.json"))) continue;
      const evidence = () => loggedFromLogEntry(readFileSync(join(dir, "endorsement.json")), readFileSync(join(dir, "endorsement.json.sig")), readFileSync(join(dir, "logentry.json"), "utf8"), "logentry.json");
      it(`${set}/${component} verifies with inclusion proof and checkpoint, and expires`, () => {
        const verdict = verifyEndorsement(evidence(), registryPolicy(msInstant(at)));
        expect(verdict.failure).toBeUndefined();
        expect(verdict.checks.find((c) => c.check === "INCLUSION_PROOF")?.status).toBe("passed");
        expect(verdict.checks.find((c) => c.check === "KEY_VALIDITY")?.status).toBe("passed");
        expect(verifyEndorsement(evidence(), registryPolicy(msInstant(expiredAt))).failure?.check).toBe("VALIDITY");
        if (set !== "milan_rk_release") {
          // The key file named by the fixtures manifest verifies it directly too.
          const key = committedKey(`oak/derived/endorser_key_${KEY_FILE[component]}.pem`);
          expect(verifyEndorsement(evidence(), keyPolicy(key, [PUBLIC_GOOD], msInstant(at))).verified).toBe(true);
        }
      });
    }
  }

  it("another component's key does not verify a component (stage1 key on the kernel)", () => {
    const dir = join(COMMITTED, "oak/derived/milan_oc_release_components/kernel");
    const evidence = loggedFromLogEntry(readFileSync(join(dir, "endorsement.json")), readFileSync(join(dir, "endorsement.json.sig")), readFileSync(join(dir, "logentry.json"), "utf8"), "logentry.json");
    const wrong = committedKey("oak/derived/endorser_key_oak_containers_stage1.pem");
    expect(verifyEndorsement(evidence, keyPolicy(wrong, [PUBLIC_GOOD], msInstant(1754006400000))).failure?.check).toBe("STATEMENT_SIGNATURE");
    // Asking for another component with a registry names the mismatch.
    expect(verifyEndorsement(evidence, { ...registryPolicy(msInstant(1754006400000)), component: "oak_containers_stage1" }).failure?.check).toBe("COMPONENT");
  });
});

describe("Oak's cosign SET-only vector (hashedrekord_cosign_bundle_vector)", () => {
  const dir = "oak/derived/hashedrekord_cosign_bundle_vector";
  const evidence = () => loggedFromLogEntry(committed(`${dir}/statement.json`), committed(`${dir}/statement.json.sig`), committed(`${dir}/cosign_rekor_bundle.json`).toString("utf8"), "cosign_rekor_bundle.json");
  const key = committedKey(`${dir}/developer_public_key.pem`);
  const at = msInstant(1761868800000); // Oak verifies it at 2025-10-31T00:00:00Z

  it("is rejected by default: no inclusion proof, no checkpoint", () => {
    const verdict = verifyEndorsement(evidence(), keyPolicy(key, [PUBLIC_GOOD], at));
    expect(verdict.failure?.check).toBe("INCLUSION_PROOF");
    expect(verdict.failure?.message).toContain("--allow-set-only");
  });

  it("verifies with the explicit lower-assurance option, proof checks reported as skipped", () => {
    const verdict = verifyEndorsement(evidence(), keyPolicy(key, [PUBLIC_GOOD], at, { allowSetOnly: true }));
    expect(verdict.failure).toBeUndefined();
    expect(verdict.checks.filter((c) => c.status === "skipped").map((c) => c.check)).toEqual(expect.arrayContaining(["ENTRY_ID", "CHECKPOINT_SIGNATURE", "INCLUSION_PROOF"]));
    expect(verdict.checks.find((c) => c.check === "BODY_KIND")?.detail).toBe("hashedrekord 0.0.1");
  });
});

describe("sigstore-conformance managed-key bundles over a.txt", () => {
  const artifact = committed("sigstore/conformance/a.txt");
  const at = parseRfc3339("2026-11-01T00:00:00Z")!;
  const artifactPolicy = (keyFile: string, rootFile: string): EndorsementPolicy => ({
    ...keyPolicy(committedKey(keyFile), rekorV1Logs(committed(rootFile).toString("utf8"), rootFile).map((l) => ({ ...l, source: l.baseUrl })), at),
    signed: "artifact",
  });

  it("managed-key-happy-path: VALID with key.pub and the public-good root", () => {
    const evidence = loggedFromBundle(artifact, committed("sigstore/conformance/managed-key-happy-path/bundle.sigstore.json").toString("utf8"), "bundle");
    const verdict = verifyEndorsement(evidence, artifactPolicy("sigstore/conformance/managed-key-happy-path/key.pub", "sigstore/public-good-trusted_root.json"));
    expect(verdict.failure).toBeUndefined();
    expect(verdict.logEntry?.logIndex).toBe(771488337);
  });

  it("managed-key-and-trusted-root: VALID with its own (staging) trusted root, INVALID with the public-good one", () => {
    const evidence = loggedFromBundle(artifact, committed("sigstore/conformance/managed-key-and-trusted-root/bundle.sigstore.json").toString("utf8"), "bundle");
    const own = artifactPolicy("sigstore/conformance/managed-key-and-trusted-root/key.pub", "sigstore/conformance/managed-key-and-trusted-root/trusted_root.json");
    expect(verifyEndorsement(evidence, own).failure).toBeUndefined();
    expect(verifyEndorsement(evidence, artifactPolicy("sigstore/conformance/managed-key-and-trusted-root/key.pub", "sigstore/public-good-trusted_root.json")).failure?.check).toBe("LOG_ID");
  });

  it("managed-key-wrong-key_fail: its key.pub cannot be parsed", () => {
    expect(() => committedKey("sigstore/conformance/managed-key-wrong-key_fail/key.pub")).toThrow();
  });

  it("a changed artifact fails the signature", () => {
    const evidence = loggedFromBundle(Buffer.concat([artifact, Buffer.from("x")]), committed("sigstore/conformance/managed-key-happy-path/bundle.sigstore.json").toString("utf8"), "bundle");
    expect(verifyEndorsement(evidence, artifactPolicy("sigstore/conformance/managed-key-happy-path/key.pub", "sigstore/public-good-trusted_root.json")).failure?.check).toBe("STATEMENT_SIGNATURE");
  });
});
