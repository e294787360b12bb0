import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeCbor, encodeCbor } from "../../../src/verify/oak/cbor.js";
import { parseCoseKey, parseCoseSign1 } from "../../../src/verify/oak/cose.js";
import { parseDiceClaims } from "../../../src/verify/oak/cwt.js";
import { matchDigests } from "../../../src/verify/oak/digests.js";
import { OakInputError } from "../../../src/verify/oak/errors.js";
import { ReftrailError } from "../../../src/util/errors.js";
import { decodeEndorsements, decodeEvidence, decodeOakInputs, decodeReferenceValues, verifyOakEvidence } from "../../../src/verify/oak/verifier.js";
import { RELEASE_TIME, copyInputs, derivedReferenceValues, loadSet, read, testdataPath } from "./sets.js";

const EVIDENCE = read(testdataPath("milan_oc_release_evidence.binarypb"));
const ENDORSEMENTS = read(testdataPath("milan_oc_release_endorsements.binarypb"));
const REFERENCE_VALUES = derivedReferenceValues("milan_oc_release");
const RELEASE = loadSet("milan_oc_release", REFERENCE_VALUES);
const LAYER0 = RELEASE.evidence.layers[0]!.ecaCertificate;
const ECA_KEY = RELEASE.evidence.rootLayer!.ecaPublicKey;

const bytes = (...b: number[]) => Uint8Array.from(b);
const concat = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);

describe("protobuf: Oak's three messages", () => {
  const decoders = [
    ["Evidence", decodeEvidence, EVIDENCE],
    ["Endorsements", decodeEndorsements, ENDORSEMENTS],
    ["ReferenceValues", decodeReferenceValues, REFERENCE_VALUES],
  ] as const;
  for (const [name, decode, whole] of decoders) {
    it(`${name}: every truncation inside a length-delimited field is an input error naming the message`, () => {
      let refused = 0;
      for (const cut of [1, 2, 7, Math.floor(whole.length / 3), Math.floor(whole.length / 2), whole.length - 1]) {
        try {
          decode(whole.subarray(0, cut));
        } catch (err) {
          expect(err).toBeInstanceOf(OakInputError);
          expect((err as Error).message).toMatch(new RegExp(`^${name}: `));
          refused++;
        }
      }
      // A protobuf cut at a field boundary is itself a valid (shorter) message; the cuts above fall inside fields.
      expect(refused).toBe(6);
    });
    it(`${name}: an unknown field is refused, as are bytes that are no field at all`, () => {
      expect(() => decode(concat(whole, bytes(0xf8, 0x06, 0x01)))).toThrow(/unknown protobuf field .* field 111/);
      expect(() => decode(concat(whole, bytes(0xff)))).toThrow(OakInputError);
    });
  }
  it("a field whose wire type does not fit its type, or a nested message whose length ends inside its last field, is refused (protobuf-es would read both)", () => {
    const wrongWireType = Uint8Array.from(EVIDENCE);
    wrongWireType[0] = 0x0b; // field 1 (root_layer) as a group start instead of length-delimited
    expect(() => decodeEvidence(wrongWireType)).toThrow(/Evidence.root_layer has wire type 3, expected 2/);
    const shortLength = Uint8Array.from(EVIDENCE);
    shortLength[1]! -= 1; // root_layer one byte shorter than its fields
    expect(() => decodeEvidence(shortLength)).toThrow(/^Evidence: not a valid oak.attestation.v1.Evidence message/);
  });

  it("an unknown field deep inside a message is found", () => {
    const inputs = copyInputs(RELEASE);
    expect(() => decodeEvidence(concat(EVIDENCE, bytes(0x0a, 0x03, 0xf8, 0x06, 0x01)))).toThrow(/Evidence\.rootLayer field 111/);
    expect(inputs.evidence.layers).toHaveLength(3);
  });
});

describe("CBOR (strict)", () => {
  it("refuses trailing bytes, truncation, non-minimal integers, duplicate keys, tags and indefinite lengths", () => {
    const good = encodeCbor(new Map<number, unknown>([[1, 2]]));
    expect(decodeCbor(good, "x")).toEqual(new Map([[1, 2]]));
    for (const bad of [concat(good, bytes(0)), good.subarray(0, 2), bytes(0x18, 0x01), bytes(0xa2, 1, 2, 1, 3), bytes(0xc1, 0x01), bytes(0x9f, 0x01, 0xff), bytes()]) {
      expect(() => decodeCbor(bad, "thing"), Buffer.from(bad).toString("hex")).toThrow(/^thing: not valid CBOR/);
    }
  });
});

describe("COSE_Sign1 (a real layer certificate)", () => {
  it("parses the real certificate", () => {
    const sign1 = parseCoseSign1(LAYER0, "cert");
    expect(sign1.signature).toHaveLength(64);
  });
  it("refuses every truncation and a trailing byte", () => {
    for (const cut of [0, 1, 5, 40, LAYER0.length - 1]) expect(() => parseCoseSign1(LAYER0.subarray(0, cut), "cert")).toThrow(OakInputError);
    expect(() => parseCoseSign1(concat(LAYER0, bytes(0)), "cert")).toThrow(/not valid CBOR/);
  });
  it("accepts only a key id in the unsigned (unprotected) header", () => {
    const cert = (unprotected: Map<number, unknown>) => encodeCbor([encodeCbor(new Map([[1, -7]])), unprotected, bytes(1), new Uint8Array(64)]);
    expect(() => parseCoseSign1(cert(new Map([[4, "AsymmetricECDSA256"]])), "c")).not.toThrow();
    expect(() => parseCoseSign1(cert(new Map([[1, -7]])), "c")).toThrow(/unprotected header parameter 1/);
    expect(() => parseCoseSign1(cert(new Map([[4, 7]])), "c")).toThrow(/key id/);
  });

  it("refuses another shape, algorithm or signature size", () => {
    const parts = [encodeCbor(new Map([[1, -7]])), new Map(), bytes(1, 2), new Uint8Array(64)];
    expect(() => parseCoseSign1(encodeCbor(parts), "c")).not.toThrow();
    expect(() => parseCoseSign1(encodeCbor(parts.slice(0, 3)), "c")).toThrow(/4-element/);
    expect(() => parseCoseSign1(encodeCbor([encodeCbor(new Map([[1, -35]])), ...parts.slice(1)]), "c")).toThrow(/ES256/);
    expect(() => parseCoseSign1(encodeCbor([...parts.slice(0, 3), new Uint8Array(63)]), "c")).toThrow(/63 bytes/);
    expect(() => parseCoseSign1(encodeCbor([encodeCbor(new Map()), ...parts.slice(1)]), "c")).toThrow(/missing key 1/);
    expect(() => parseCoseSign1(encodeCbor(["text", ...parts.slice(1)]), "c")).toThrow(/byte string/);
  });
});

describe("COSE_Key", () => {
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
  const key = (entries: [number, unknown][]) => encodeCbor(new Map(entries));
  const ec2: [number, unknown][] = [[1, 2], [3, -7], [4, [2]], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]];
  it("reads the real eca_public_key and a generated key", () => {
    expect(parseCoseKey(ECA_KEY, "eca").kind).toBe("ec2-p256-verify");
    expect(parseCoseKey(key(ec2), "k").kind).toBe("ec2-p256-verify");
  });
  it("refuses truncation, another curve, algorithm or use, a missing coordinate and a point off the curve", () => {
    expect(() => parseCoseKey(ECA_KEY.subarray(0, ECA_KEY.length - 1), "eca")).toThrow(/not valid CBOR/);
    const without = (label: number) => ec2.filter(([k]) => k !== label);
    const replaced = (label: number, value: unknown) => ec2.map(([k, v]) => [k, k === label ? value : v] as [number, unknown]);
    expect(() => parseCoseKey(key(replaced(-1, 2)), "k")).toThrow(/P-256/);
    expect(() => parseCoseKey(key(replaced(3, -35)), "k")).toThrow(/ES256/);
    expect(() => parseCoseKey(key(replaced(4, [1])), "k")).toThrow(/verify only/);
    expect(() => parseCoseKey(key(without(-3)), "k")).toThrow(/missing key -3/);
    expect(() => parseCoseKey(key(replaced(-3, new Uint8Array(32).fill(7))), "k")).toThrow(/not a point on P-256/);
    expect(() => parseCoseKey(key(replaced(1, 3)), "k")).toThrow(/key type 3/);
    expect(() => parseCoseKey(key(replaced(-2, "x")), "k")).toThrow(/byte string/);
  });
});

describe("DICE claims", () => {
  const claims = parseDiceClaims(parseCoseSign1(LAYER0, "cert").payload, "cert");
  it("read the real layer 0 certificate: its issuer is the ECA key's id, it names an event digest", () => {
    expect(claims.issuer).toMatch(/^[0-9a-f]{40}$/);
    expect(claims.eventDigest).toHaveLength(32);
  });
  it("refuse a payload without SUBJECT_PUBLIC_KEY, with a wrong type, or a short event digest", () => {
    const base: [number, unknown][] = [[1, "a"], [2, "b"], [-4670552, bytes(1)]];
    expect(() => parseDiceClaims(encodeCbor(new Map(base.slice(0, 2))), "c")).toThrow(/missing key -4670552/);
    expect(() => parseDiceClaims(encodeCbor(new Map([...base.slice(0, 2), [-4670552, "key"]])), "c")).toThrow(/byte string/);
    expect(() => parseDiceClaims(encodeCbor(new Map([...base, [-4670573, new Map([[-4670572, bytes(1, 2)]])]])), "c")).toThrow(/2 bytes, expected 32/);
    expect(() => parseDiceClaims(encodeCbor(new Map([[1, 7], ...base.slice(1)])), "c")).toThrow(/text string/);
  });
});

describe("malformed structures inside valid protobuf are input errors attributed to their message", () => {
  it("a truncated layer certificate", () => {
    const inputs = copyInputs(RELEASE);
    inputs.evidence.layers[2]!.ecaCertificate = inputs.evidence.layers[2]!.ecaCertificate.subarray(0, 100);
    expect(() => verifyOakEvidence(inputs, RELEASE_TIME)).toThrow(expect.objectContaining({ subject: "Evidence", message: expect.stringMatching(/layers\[2\]\.eca_certificate/) }));
  });
  it("a truncated report", () => {
    const inputs = copyInputs(RELEASE);
    inputs.evidence.rootLayer!.remoteAttestationReport = inputs.evidence.rootLayer!.remoteAttestationReport.subarray(0, 1000);
    expect(() => verifyOakEvidence(inputs, RELEASE_TIME)).toThrow(expect.objectContaining({ subject: "Evidence", message: expect.stringMatching(/^root_layer.remote_attestation_report: /) }));
  });
  it("a truncated VCEK", () => {
    const inputs = copyInputs(RELEASE);
    if (inputs.endorsements.type.case !== "oakContainers") throw new Error("type");
    const root = inputs.endorsements.type.value.rootLayer!;
    root.teeCertificate = root.teeCertificate.subarray(0, 200);
    expect(() => verifyOakEvidence(inputs, RELEASE_TIME)).toThrow(expect.objectContaining({ subject: "Endorsements", message: expect.stringMatching(/^root_layer.tee_certificate: /) }));
  });
  it("an event that is not an Event message", () => {
    const inputs = copyInputs(RELEASE);
    inputs.evidence.eventLog!.encodedEvents[0] = bytes(0xff, 0xff);
    expect(() => verifyOakEvidence(inputs, RELEASE_TIME)).toThrow(expect.objectContaining({ subject: "Evidence", message: expect.stringMatching(/encoded_events\[0\]/) }));
  });
  it("an eca_public_key that is not a COSE_Key is a failed check (the report binds those bytes)", () => {
    const inputs = copyInputs(RELEASE);
    inputs.evidence.rootLayer!.ecaPublicKey = inputs.evidence.rootLayer!.ecaPublicKey.subarray(0, 10);
    const v = verifyOakEvidence(inputs, RELEASE_TIME);
    expect(v.failures).toEqual(["ECA_KEY_BINDING", "DICE_ROOT_KEY", "DICE_LAYER_SIGNATURES", "APPLICATION_KEYS", "EVENT_BINDING"]);
  });
});

describe("digest matching: Oak's Same semantics", () => {
  const a = bytes(1);
  const b = bytes(2);
  it("same when a shared algorithm agrees and none differs; different when one differs; undecidable with none shared", () => {
    expect(matchDigests({ sha2_256: a }, { sha2_256: a })).toBe("same");
    expect(matchDigests({ sha2_256: a, sha2_384: b }, { sha2_256: a })).toBe("same");
    expect(matchDigests({ sha2_256: a, sha2_384: b }, { sha2_256: a, sha2_384: a })).toBe("different");
    expect(matchDigests({ sha2_256: a }, { sha2_256: b })).toBe("different");
    expect(matchDigests({ sha2_256: a }, { sha2_384: a })).toBe("undecidable");
    expect(matchDigests({}, {})).toBe("undecidable");
  });
});

describe("random damage to any of the three files never crashes the verifier", () => {
  // A fixed pseudo-random sequence: reproducible, and different offsets in every message.
  let seed = 20261203;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  it("300 bit flips, byte overwrites and truncations: each an input error or a verdict, never another exception", () => {
    const files = [EVIDENCE, ENDORSEMENTS, REFERENCE_VALUES];
    let inputErrors = 0;
    let verdicts = 0;
    for (let i = 0; i < 300; i++) {
      const which = next(3);
      let damaged = Uint8Array.from(files[which]!);
      const kind = next(3);
      if (kind === 0) damaged[next(damaged.length)]! ^= 1 << next(8);
      else if (kind === 1) damaged[next(damaged.length)] = next(256);
      else damaged = damaged.subarray(0, next(damaged.length));
      const input = files.map((f, j) => (j === which ? damaged : f));
      try {
        verifyOakEvidence(decodeOakInputs(input[0]!, input[1]!, input[2]!), RELEASE_TIME);
        verdicts++;
      } catch (err) {
        expect(err, `mutation ${i} of file ${which}`).toBeInstanceOf(ReftrailError);
        inputErrors++;
      }
    }
    expect(inputErrors).toBeGreaterThan(0);
    expect(verdicts).toBeGreaterThan(0);
  });
});
