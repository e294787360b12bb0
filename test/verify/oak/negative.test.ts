import { createHash, generateKeyPairSync } from "node:crypto";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventSchema } from "../../../src/schema/oak/gen/proto/attestation/eventlog_pb.js";
import type { BinaryReferenceValue, OakContainersReferenceValues, ReferenceValues } from "../../../src/schema/oak/gen/proto/attestation/reference_value_pb.js";
import { SystemLayerDataSchema } from "../../../src/schema/oak/gen/proto/attestation/verification_pb.js";
import type { OakEvidenceVerdict } from "../../../src/schema/oak-verdict.js";
import { encodeCbor } from "../../../src/verify/oak/cbor.js";
import { verifyOakEvidence, type OakInputs } from "../../../src/verify/oak/verifier.js";
import { OAK_TEST_TIME, RELEASE_TIME, copyInputs, derivedReferenceValues, loadSet, ownReferenceValues } from "./sets.js";

/** Oak's negative variants (spec §12.1 last paragraph) and reftrail's own: each fails exactly the check it concerns. */

const flipped = (bytes: Uint8Array, i: number): Uint8Array => {
  const copy = Uint8Array.from(bytes);
  copy[i < 0 ? copy.length + i : i]! ^= 1;
  return copy;
};
const oc = (rv: ReferenceValues): OakContainersReferenceValues => {
  if (rv.type.case !== "oakContainers") throw new Error("not Oak Containers reference values");
  return rv.type.value;
};
const firstDigests = (brv: BinaryReferenceValue | undefined) => {
  if (brv?.type.case !== "digests") throw new Error("not a digest reference value");
  return brv.type.value.digests[0]!;
};
const failures = (v: OakEvidenceVerdict) => v.failures;

const GENOA = loadSet("genoa_oc", ownReferenceValues("genoa_oc"));
const RELEASE = loadSet("milan_oc_release", derivedReferenceValues("milan_oc_release"));

function genoaWith(change: (inputs: OakInputs) => void): OakEvidenceVerdict {
  const inputs = copyInputs(GENOA);
  change(inputs);
  return verifyOakEvidence(inputs, OAK_TEST_TIME);
}
function releaseWith(change: (inputs: OakInputs) => void): OakEvidenceVerdict {
  const inputs = copyInputs(RELEASE);
  change(inputs);
  return verifyOakEvidence(inputs, RELEASE_TIME);
}

describe("the unchanged sets verify (so each failure below is the change's)", () => {
  it("genoa_oc and milan_oc_release", () => {
    expect(failures(genoaWith(() => {}))).toEqual([]);
    expect(failures(releaseWith(() => {}))).toEqual([]);
  });
});

describe("manipulated reference value digests (genoa_oc digest reference values)", () => {
  const cases: [string, (rv: OakContainersReferenceValues) => void, string][] = [
    ["wrong initial measurement", (rv) => void (firstDigests(rv.rootLayer!.amdSev!.stage0).sha2384 = flipped(firstDigests(rv.rootLayer!.amdSev!.stage0).sha2384, 0)), "STAGE0"],
    ["kernel image", (rv) => {
      const k = rv.kernelLayer!.kernel!;
      if (k.type.case !== "digests") throw new Error("kernel");
      k.type.value.image!.digests[0]!.sha2256 = flipped(k.type.value.image!.digests[0]!.sha2256, 5);
    }, "KERNEL_IMAGE"],
    ["kernel setup data", (rv) => {
      const k = rv.kernelLayer!.kernel!;
      if (k.type.case !== "digests") throw new Error("kernel");
      k.type.value.setupData!.digests[0]!.sha2256 = flipped(k.type.value.setupData!.digests[0]!.sha2256, 31);
    }, "KERNEL_SETUP_DATA"],
    ["kernel command line", (rv) => {
      const t = rv.kernelLayer!.kernelCmdLineText!;
      if (t.type.case !== "stringLiterals") throw new Error("cmdline");
      t.type.value.value = t.type.value.value.map((s) => `${s} `);
    }, "KERNEL_CMDLINE"],
    ["initrd", (rv) => void (firstDigests(rv.kernelLayer!.initRamFs).sha2256 = flipped(firstDigests(rv.kernelLayer!.initRamFs).sha2256, 1)), "INITRD"],
    ["memory map", (rv) => void (firstDigests(rv.kernelLayer!.memoryMap).sha2256 = flipped(firstDigests(rv.kernelLayer!.memoryMap).sha2256, 1)), "MEMORY_MAP"],
    ["ACPI", (rv) => void (firstDigests(rv.kernelLayer!.acpi).sha2256 = flipped(firstDigests(rv.kernelLayer!.acpi).sha2256, 1)), "ACPI"],
    ["system image", (rv) => void (firstDigests(rv.systemLayer!.systemImage).sha2256 = flipped(firstDigests(rv.systemLayer!.systemImage).sha2256, 1)), "SYSTEM_IMAGE"],
    ["container bundle", (rv) => void (firstDigests(rv.containerLayer!.binary).sha2256 = flipped(firstDigests(rv.containerLayer!.binary).sha2256, 1)), "CONTAINER_BUNDLE"],
  ];
  for (const [name, change, check] of cases) {
    it(`${name} fails ${check} only`, () => expect(failures(genoaWith((i) => change(oc(i.referenceValues))))).toEqual([check]));
  }

  it("container config (turin_oc, whose reference values give one) fails CONTAINER_CONFIG only", () => {
    const turin = copyInputs(loadSet("turin_oc", ownReferenceValues("turin_oc")));
    expect(verifyOakEvidence(turin, OAK_TEST_TIME).failures).toEqual([]);
    const d = firstDigests(oc(turin.referenceValues).containerLayer!.configuration);
    d.sha2256 = flipped(d.sha2256, 1);
    expect(verifyOakEvidence(turin, OAK_TEST_TIME).failures).toEqual(["CONTAINER_CONFIG"]);
  });

  it("a regex that does not match fails KERNEL_CMDLINE; one that does passes", () => {
    const withRegex = (value: string) => genoaWith((i) => void (oc(i.referenceValues).kernelLayer!.kernelCmdLineText = { $typeName: "oak.attestation.v1.TextReferenceValue", type: { case: "regex", value: { $typeName: "oak.attestation.v1.Regex", value } } }));
    expect(failures(withRegex("^console=ttyS1"))).toEqual(["KERNEL_CMDLINE"]);
    expect(failures(withRegex("brd\\.rd_size=[0-9]+"))).toEqual([]);
    expect(failures(withRegex("("))).toEqual(["KERNEL_CMDLINE"]);
  });

  it("an unset reference value is an error, not a skip", () => {
    expect(failures(genoaWith((i) => void (oc(i.referenceValues).kernelLayer!.acpi = undefined)))).toEqual(["ACPI"]);
    expect(failures(genoaWith((i) => void (oc(i.referenceValues).systemLayer = undefined)))).toEqual(["SYSTEM_IMAGE"]);
  });

  it("a digest with no algorithm in common with the evidence is undecidable and fails", () => {
    expect(failures(genoaWith((i) => {
      const d = firstDigests(oc(i.referenceValues).kernelLayer!.initRamFs);
      d.sha2512 = d.sha2256.length ? new Uint8Array(64) : d.sha2512;
      d.sha2256 = new Uint8Array();
    }))).toEqual(["INITRD"]);
  });
});

describe("TCB minimums above the report's (milan_oc_release: bl 4, tee 0, snp 24, ucode 219)", () => {
  const withMinimum = (m: Partial<{ bootLoader: number; tee: number; snp: number; microcode: number; fmc: number }>) =>
    releaseWith((i) => {
      const milan = oc(i.referenceValues).rootLayer!.amdSev!.milan!;
      if (milan.type.case !== "minimum") throw new Error("milan minimum");
      Object.assign(milan.type.value, m);
    });
  it("the actual values pass", () => expect(failures(withMinimum({ bootLoader: 4, tee: 0, snp: 24, microcode: 219 }))).toEqual([]));
  for (const m of [{ bootLoader: 5 }, { tee: 1 }, { snp: 25 }, { microcode: 220 }]) {
    it(`${JSON.stringify(m)} fails POLICY_TCB_REPORTED`, () => expect(failures(withMinimum(m))).toEqual(["POLICY_TCB_REPORTED"]));
  }
  it("an FMC minimum on Milan (no FMC) fails TCB_REFERENCE_VALUE", () => expect(failures(withMinimum({ fmc: 1 }))).toEqual(["TCB_REFERENCE_VALUE"]));
  it("no Milan value fails; removing other models' values does not", () => {
    const none = releaseWith((i) => void (oc(i.referenceValues).rootLayer!.amdSev!.milan = undefined));
    expect(none.verified).toBe(false);
    expect(none.failures).toEqual(["TCB_REFERENCE_VALUE"]);
    const withGenoa = releaseWith((i) => {
      const amd = oc(i.referenceValues).rootLayer!.amdSev!;
      amd.genoa = { $typeName: "oak.attestation.v1.TcbVersionReferenceValue", type: { case: "skip", value: { $typeName: "oak.attestation.v1.SkipVerification" } } };
      amd.milan = undefined;
    });
    expect(withGenoa.failures).toEqual(["POLICY_TCB_REPORTED"]);
    expect(failures(releaseWith((i) => void (oc(i.referenceValues).rootLayer!.amdSev!.genoa = undefined)))).toEqual([]);
  });
});

describe("tampered evidence (milan_oc_release)", () => {
  it("eca_public_key[0] += 1 fails the ECA key binding", () => {
    const v = releaseWith((i) => void (i.evidence.rootLayer!.ecaPublicKey[0]! += 1));
    expect(v.failures).toContain("ECA_KEY_BINDING");
    expect(v.verified).toBe(false);
  });

  it("a changed ECA key (another valid P-256 COSE_Key) fails the binding and the first layer signature", () => {
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    const coseKey = encodeCbor(new Map<number, unknown>([[1, 2], [3, -7], [4, [2]], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]]));
    const v = releaseWith((i) => void (i.evidence.rootLayer!.ecaPublicKey = coseKey));
    expect(v.failures).toEqual(["ECA_KEY_BINDING", "DICE_LAYER_SIGNATURES", "APPLICATION_KEYS", "EVENT_BINDING"]);
    expect(v.checks.find((c) => c.check === "DICE_ROOT_KEY")!.status).toBe("passed");
  });

  it("a forged event (its bytes changed, still a valid event) fails EVENT_BINDING", () => {
    const v = releaseWith((i) => {
      const log = i.evidence.eventLog!;
      const event = fromBinary(EventSchema, log.encodedEvents[1]!);
      const system = fromBinary(SystemLayerDataSchema, event.event!.value);
      system.systemImage!.sha2256 = createHash("sha256").update("another system image").digest();
      event.event!.value = toBinary(SystemLayerDataSchema, system);
      log.encodedEvents[1] = toBinary(EventSchema, event);
    });
    expect(v.failures).toEqual(["EVENT_BINDING", "SYSTEM_IMAGE"]);
    expect(v.checks.find((c) => c.check === "EVENT_BINDING")!.detail).toMatch(/event 1/);
  });

  it("an event log that lost an event is refused as input", () => {
    expect(() => releaseWith((i) => void i.evidence.eventLog!.encodedEvents.pop())).toThrow(/neither an Oak Containers nor a restricted-kernel event log/);
  });

  it("a layer certificate with a changed signature fails DICE_LAYER_SIGNATURES", () => {
    const v = releaseWith((i) => void (i.evidence.layers[1]!.ecaCertificate = flipped(i.evidence.layers[1]!.ecaCertificate, -1)));
    expect(v.failures).toEqual(["DICE_LAYER_SIGNATURES", "APPLICATION_KEYS", "EVENT_BINDING"]);
    expect(v.checks.find((c) => c.check === "DICE_LAYER_SIGNATURES")!.detail).toMatch(/layers\[1\]/);
  });

  it("an unsigned (changed signature) application key certificate fails APPLICATION_KEYS", () => {
    for (const field of ["signingPublicKeyCertificate", "encryptionPublicKeyCertificate", "groupEncryptionPublicKeyCertificate"] as const) {
      const v = releaseWith((i) => void (i.evidence.applicationKeys![field] = flipped(i.evidence.applicationKeys![field], -1)));
      expect(v.failures, field).toEqual(["APPLICATION_KEYS"]);
    }
  });

  it("no application keys fails APPLICATION_KEYS", () => {
    expect(failures(releaseWith((i) => void (i.evidence.applicationKeys = undefined)))).toEqual(["APPLICATION_KEYS"]);
  });

  it("a report with a changed byte fails the report signature", () => {
    const v = releaseWith((i) => void (i.evidence.rootLayer!.remoteAttestationReport = flipped(i.evidence.rootLayer!.remoteAttestationReport, 0x90)));
    expect(v.failures).toContain("REPORT_SIGNATURE");
  });
});

/** Drops the event-based copies of the endorsements, so that a change to a release endorsement is judged alone. */
const withoutVariants = (i: OakInputs) => {
  i.endorsements.initial = undefined;
  i.endorsements.events = [];
};

describe("tampered endorsements (milan_oc_release, endorsement reference values)", () => {
  it("an event-based copy that differs from the release endorsement fails ENDORSEMENT_VARIANTS only; without copies nothing is compared", () => {
    const v = releaseWith((i) => void (i.endorsements.events[0]!.value = flipped(i.endorsements.events[0]!.value, -1)));
    expect(v.failures).toEqual(["ENDORSEMENT_VARIANTS"]);
    expect(v.checks.find((c) => c.check === "ENDORSEMENT_VARIANTS")!.detail).toMatch(/differ from the release endorsements: /);
    const none = releaseWith(withoutVariants);
    expect(none.failures).toEqual([]);
    expect(none.checks.find((c) => c.check === "ENDORSEMENT_VARIANTS")!.actual).toBe("1 identical");
  });

  it("a variant of the wrong type is an input error", () => {
    expect(() => releaseWith((i) => void (i.endorsements.events[0]!.id = i.endorsements.events[1]!.id))).toThrow(/unexpected variant ID/);
  });

  const kernelLayer = (i: OakInputs) => {
    if (i.endorsements.type.case !== "oakContainers") throw new Error("type");
    return i.endorsements.type.value.kernelLayer!;
  };
  it("a changed statement signature fails its components with STATEMENT_SIGNATURE", () => {
    const v = releaseWith((i) => void (kernelLayer(i).kernel!.endorsementSignature = flipped(kernelLayer(i).kernel!.endorsementSignature, -1)));
    expect(v.failures).toEqual(["ENDORSEMENT_VARIANTS", "KERNEL_IMAGE", "KERNEL_SETUP_DATA"]);
    expect(v.checks.find((c) => c.check === "KERNEL_IMAGE")!.detail).toMatch(/STATEMENT_SIGNATURE/);
  });

  it("a changed attachment fails the subject digest", () => {
    const v = releaseWith((i) => void (kernelLayer(i).kernel!.subject = flipped(kernelLayer(i).kernel!.subject, 10)));
    expect(v.failures).toEqual(["ENDORSEMENT_VARIANTS", "KERNEL_IMAGE", "KERNEL_SETUP_DATA"]);
    expect(v.checks.find((c) => c.check === "KERNEL_IMAGE")!.detail).toMatch(/does not hash to the statement's subject digest/);
  });

  it("a changed inclusion proof hash fails INCLUSION_PROOF (a check Oak does not make)", () => {
    const v = releaseWith((i) => {
      const tre = kernelLayer(i).initRamFs!;
      const text = Buffer.from(tre.rekorLogEntry).toString("utf8");
      const entry = JSON.parse(text) as Record<string, { verification: { inclusionProof: { hashes: string[] } } }>;
      const proof = Object.values(entry)[0]!.verification.inclusionProof;
      proof.hashes[0] = proof.hashes[0]!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      tre.rekorLogEntry = Buffer.from(JSON.stringify(entry));
      withoutVariants(i);
    });
    expect(v.failures).toEqual(["INITRD"]);
    expect(v.checks.find((c) => c.check === "INITRD")!.detail).toMatch(/INCLUSION_PROOF/);
  });

  it("a missing Rekor entry fails when the reference values require the log", () => {
    const v = releaseWith((i) => void (kernelLayer(i).initRamFs!.rekorLogEntry = new Uint8Array()));
    expect(v.failures).toEqual(["ENDORSEMENT_VARIANTS", "INITRD"]);
  });

  it("another endorser key fails; a claim the statement lacks fails; an unset tlog strategy fails", () => {
    const rvOf = (i: OakInputs) => {
      const r = oc(i.referenceValues).kernelLayer!.initRamFs!;
      if (r.type.case !== "endorsement") throw new Error("endorsement");
      return r.type.value;
    };
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
    const wrongKey = releaseWith((i) => void (rvOf(i).endorser!.keys[0]!.raw = otherKey));
    expect(wrongKey.failures).toEqual(["INITRD"]);
    expect(wrongKey.checks.find((c) => c.check === "INITRD")!.detail).toMatch(/STATEMENT_SIGNATURE/);
    expect(failures(releaseWith((i) => void rvOf(i).requiredClaims!.claimTypes.push("https://github.com/project-oak/oak/blob/main/docs/tr/claim/58963.md")))).toEqual(["INITRD"]);
    expect(failures(releaseWith((i) => void (rvOf(i).tlog!.strategy = { case: undefined })))).toEqual(["INITRD"]);
    expect(failures(releaseWith((i) => void (rvOf(i).requiredClaims = undefined)))).toEqual(["INITRD"]);
  });

  it("no VCEK in the endorsements fails TEE_CERTIFICATE", () => {
    const v = releaseWith((i) => {
      if (i.endorsements.type.case !== "oakContainers") throw new Error("type");
      i.endorsements.type.value.rootLayer!.teeCertificate = new Uint8Array();
      i.endorsements.platform = undefined;
    });
    expect(v.failures).toEqual(["TEE_CERTIFICATE"]);
  });

  it("mismatched evidence and reference value types fail EVIDENCE_TYPE", () => {
    const rk = loadSet("milan_rk_staging", ownReferenceValues("milan_rk_staging")).referenceValues;
    const v = verifyOakEvidence({ ...RELEASE, referenceValues: rk }, RELEASE_TIME);
    expect(v.failures).toContain("EVIDENCE_TYPE");
  });
});
