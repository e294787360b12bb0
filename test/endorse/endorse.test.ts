import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endorseComponent } from "../../src/endorse/endorse.js";
import { EndorseError } from "../../src/endorse/errors.js";
import { ENDORSEMENT_FILES } from "../../src/endorse/files.js";
import { parsePrivateKey, privateKeyPem, publicKeyPem, type ComponentKeyPair } from "../../src/keys/component-keys.js";
import { signStatement } from "../../src/endorse/sign.js";
import { verifyStatementSignature } from "../../src/keys/signature.js";
import { componentStatement, statementBytes, type EndorsementTimes } from "../../src/endorse/statement.js";
import { ReferenceValues, type ComponentValues } from "../../src/schema/reference-values.js";
import { ROOT } from "../helpers/fixtures.js";

const VALUES_PATH = join(ROOT, "reference-values/2026.11.0.json");
const RAW = JSON.parse(readFileSync(VALUES_PATH, "utf8")) as { release: { name: string; version: string }; components: { name: string; subject: unknown; claims: string[] }[] };
const VALUES = ReferenceValues.parse(JSON.parse(readFileSync(VALUES_PATH, "utf8")));
const component = (name: string): ComponentValues => VALUES.components.find((c) => c.name === name)!;
const rawComponent = (name: string) => RAW.components.find((c) => c.name === name)!;

const root = mkdtempSync(join(tmpdir(), "reftrail-endorse-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshOut = (): string => join(root, `out-${++counter}`);

const ns = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
const TIMES: EndorsementTimes = {
  issuedOn: ns("2026-11-22T11:59:59Z"),
  notBefore: ns("2026-11-22T12:00:00Z"),
  notAfter: ns("2027-11-22T12:00:00Z") + 123_456_789n,
};
const newKey = (): ComponentKeyPair => generateKeyPairSync("ec", { namedCurve: "P-256" });

function opensslVerify(publicKeyPath: string, signaturePath: string, dataPath: string): boolean {
  const result = spawnSync("openssl", ["dgst", "-sha256", "-verify", publicKeyPath, "-signature", signaturePath, dataPath], { encoding: "utf8" });
  if (result.status === 0) expect(result.stdout).toContain("Verified OK");
  return result.status === 0;
}
function opensslKeyId(publicKeyPath: string): string {
  return execFileSync("sh", ["-c", 'openssl pkey -pubin -in "$1" -outform DER | sha256sum', "sh", publicKeyPath], { encoding: "utf8" }).split(" ")[0]!;
}

/** Every entry under `dir`, with bytes, mode and mtime: what "left untouched" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const st = statSync(path);
      const key = relative(dir, path);
      if (st.isDirectory()) {
        out[`${key}/`] = `dir ${st.mode.toString(8)} ${st.mtimeMs}`;
        walk(path);
      } else {
        out[key] = `${st.mode.toString(8)} ${st.mtimeMs} ${st.ino} ${readFileSync(path).toString("hex")}`;
      }
    }
  };
  walk(dir);
  return out;
}
function hiddenEntries(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((p) => p.split("/").some((part) => part.startsWith(".")));
}

function expectExists(fn: () => unknown, dir: string, mention?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "no error").toBeInstanceOf(EndorseError);
  expect((thrown as EndorseError).code).toBe("ENDORSEMENT_EXISTS");
  expect((thrown as EndorseError).subject).toBe(dir);
  if (mention !== undefined) expect((thrown as Error).message).toContain(mention);
}

describe("endorseComponent", () => {
  it("signs an Oak endorsement of the firmware that openssl verifies", () => {
    const out = freshOut();
    const key = newKey();
    const ovmf = component("ovmf");
    const result = endorseComponent(out, VALUES.release, ovmf, key, TIMES);
    const dir = join(out, "ovmf");
    expect(result).toEqual({
      component: "ovmf",
      dir,
      keyId: opensslKeyId(join(dir, "public_key.pem")),
      status: "signed",
      issuedOn: "2026-11-22T11:59:59Z",
      notAfter: "2027-11-22T12:00:00.123456789Z",
    });
    expect(readdirSync(out)).toEqual(["ovmf"]);
    expect(readdirSync(dir).sort()).toEqual(["endorsement.json", "endorsement.json.sig", "public_key.pem"]);

    const text = readFileSync(join(dir, "endorsement.json"), "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text.split("\n").slice(0, 3)).toEqual(["{", '  "_type": "https://in-toto.io/Statement/v1",', '  "predicateType": "https://project-oak.github.io/oak/tr/endorsement/v1",']);

    const statement = JSON.parse(text);
    expect(Object.keys(statement).sort()).toEqual(["_type", "predicate", "predicateType", "subject"]);
    expect(statement._type).toBe("https://in-toto.io/Statement/v1");
    expect(statement.predicateType).toBe("https://project-oak.github.io/oak/tr/endorsement/v1");
    expect(statement.subject).toEqual([rawComponent("ovmf").subject]);
    expect(statement.subject).toEqual([{ name: "OVMF.fd", digest: { sha256: "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773" } }]);
    expect(statement.predicate.issuedOn).toBe("2026-11-22T11:59:59Z");
    expect(statement.predicate.validity).toEqual({ notBefore: "2026-11-22T12:00:00Z", notAfter: "2027-11-22T12:00:00.123456789Z" });
    expect(statement.predicate.claims).toEqual([
      { type: "https://github.com/project-oak/oak/blob/main/docs/tr/claim/10271.md" },
      { type: "https://github.com/project-oak/oak/blob/main/docs/tr/claim/52637.md" },
    ]);
    expect(statement.predicate.reftrail).toEqual({ version: 1, release: { name: "debian-bookworm-cloud-example", version: "2026.11.0" }, component: rawComponent("ovmf") });
    expect(Object.keys(statement.predicate).sort()).toEqual(["claims", "issuedOn", "reftrail", "validity"]);

    // The independent oracle: openssl verifies the exact bytes with the written public key.
    expect(opensslVerify(join(dir, "public_key.pem"), join(dir, "endorsement.json.sig"), join(dir, "endorsement.json"))).toBe(true);
    expect(readFileSync(join(dir, "public_key.pem"), "utf8")).toBe(publicKeyPem(key.publicKey));
    // ...and refuses them with one byte changed (so the oracle can say no).
    const altered = join(root, `altered-${counter}.json`);
    writeFileSync(altered, text.replace("2027-11-22", "2037-11-22"));
    expect(opensslVerify(join(dir, "public_key.pem"), join(dir, "endorsement.json.sig"), altered)).toBe(false);
    // The signature is DER as openssl reads it: a SEQUENCE of two INTEGERs.
    const asn1 = execFileSync("openssl", ["asn1parse", "-inform", "DER", "-in", join(dir, "endorsement.json.sig")], { encoding: "utf8" });
    expect(asn1.match(/INTEGER/g)).toHaveLength(2);
    expect(hiddenEntries(out)).toEqual([]);
  });

  it("signs every component of the release, each verifiable with openssl", () => {
    const out = freshOut();
    for (const c of VALUES.components) {
      const key = newKey();
      const result = endorseComponent(out, VALUES.release, c, key, TIMES);
      expect(result.status).toBe("signed");
      const dir = join(out, c.name);
      expect(opensslVerify(join(dir, "public_key.pem"), join(dir, "endorsement.json.sig"), join(dir, "endorsement.json")), c.name).toBe(true);
      expect(result.keyId).toBe(opensslKeyId(join(dir, "public_key.pem")));
      const statement = JSON.parse(readFileSync(join(dir, "endorsement.json"), "utf8"));
      expect(statement.subject, c.name).toEqual([rawComponent(c.name).subject]);
      expect(statement.predicate.claims).toEqual(rawComponent(c.name).claims.map((type) => ({ type })));
      expect(statement.predicate.reftrail.component).toEqual(rawComponent(c.name));
    }
    expect(readdirSync(out).sort()).toEqual(RAW.components.map((c) => c.name).sort());
    expect(hiddenEntries(out)).toEqual([]);
  });

  it("re-running is a no-op: 'unchanged', the same bytes and files, no re-signing even with other times or a re-imported key", () => {
    const out = freshOut();
    const key = newKey();
    const kernel = component("linux-cloud");
    endorseComponent(out, VALUES.release, kernel, key, TIMES);
    const before = snapshot(out);
    const later: EndorsementTimes = { issuedOn: ns("2030-01-01T00:00:00Z"), notBefore: ns("2030-01-01T00:00:00Z"), notAfter: ns("2031-01-01T00:00:00Z") };
    for (const [times, pair] of [
      [TIMES, key],
      [later, key],
      [later, parsePrivateKey(privateKeyPem(key.privateKey))],
    ] as const) {
      const again = endorseComponent(out, VALUES.release, kernel, pair, times);
      expect(again).toEqual({ component: "linux-cloud", dir: join(out, "linux-cloud"), keyId: opensslKeyId(join(out, "linux-cloud", "public_key.pem")), status: "unchanged", issuedOn: "2026-11-22T11:59:59Z", notAfter: "2027-11-22T12:00:00.123456789Z" });
      expect(snapshot(out)).toEqual(before);
    }
    // The same values parsed afresh from the file (another object, same content) are the same values.
    const reparsed = ReferenceValues.parse(JSON.parse(readFileSync(VALUES_PATH, "utf8")));
    expect(endorseComponent(out, reparsed.release, reparsed.components.find((c) => c.name === "linux-cloud")!, key, later).status).toBe("unchanged");
    expect(snapshot(out)).toEqual(before);
  });

  describe("refuses to replace an existing endorsement (ENDORSEMENT_EXISTS) and leaves the folder untouched", () => {
    const setup = (name = "initrd") => {
      const out = freshOut();
      const key = newKey();
      endorseComponent(out, VALUES.release, component(name), key, TIMES);
      return { out, key, dir: join(out, name), before: snapshot(out) };
    };

    it("other reference values of the component", () => {
      const { out, key, dir, before } = setup("initrd");
      const initrd = component("initrd");
      const variants: ComponentValues[] = [
        { ...initrd, version: `${initrd.version}+rebuild` },
        { ...initrd, subject: { ...initrd.subject, digest: { sha256: "0".repeat(64) } } },
        { ...initrd, subject: { ...initrd.subject, name: "initrd-other.img" } },
        { ...initrd, claims: [...initrd.claims, "https://example.com/claim"] },
        { ...initrd, claims: [] },
      ];
      for (const v of variants) {
        expectExists(() => endorseComponent(out, VALUES.release, v, key, TIMES), dir, "other reference values");
        expect(snapshot(out)).toEqual(before);
      }
      expectExists(() => endorseComponent(out, { ...VALUES.release, version: "2026.12.0" }, initrd, key, TIMES), dir, "other reference values");
      expect(snapshot(out)).toEqual(before);
    });

    it("a firmware whose launch digests differ in one value", () => {
      const { out, key, dir, before } = setup("ovmf");
      const ovmf = component("ovmf");
      if (ovmf.kind !== "firmware") throw new Error("ovmf is not a firmware");
      const first = ovmf.launchDigests[0]!;
      const changed =
        first.mode === "sev"
          ? { ...first, digest: "0".repeat(first.digest.length) }
          : { ...first, digests: { ...first.digests, "1": "0".repeat(first.digests["1"]!.length) } };
      expectExists(() => endorseComponent(out, VALUES.release, { ...ovmf, launchDigests: [changed, ...ovmf.launchDigests.slice(1)] }, key, TIMES), dir, "other reference values");
      expect(snapshot(out)).toEqual(before);
    });

    it("another key", () => {
      const { out, dir, before } = setup();
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), newKey(), TIMES), dir, "another key");
      expect(snapshot(out)).toEqual(before);
    });

    it("a tampered signature, or one in raw r‖s form", () => {
      const { out, key, dir } = setup();
      const sigPath = join(dir, "endorsement.json.sig");
      const sig = readFileSync(sigPath);
      const tampered = Buffer.from(sig);
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x01;
      writeFileSync(sigPath, tampered);
      const before = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "does not verify");
      expect(snapshot(out)).toEqual(before);
      // A valid signature over the same bytes, but IEEE P1363 instead of DER.
      const raw = sign("sha256", readFileSync(join(dir, "endorsement.json")), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
      writeFileSync(sigPath, raw);
      const before2 = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "does not verify");
      expect(snapshot(out)).toEqual(before2);
    });

    it("a statement changed after signing", () => {
      const { out, key, dir } = setup();
      const path = join(dir, "endorsement.json");
      writeFileSync(path, readFileSync(path, "utf8").replace("2027-11-22T12:00:00.123456789Z", "2099-11-22T12:00:00Z"));
      const before = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "does not verify");
      expect(snapshot(out)).toEqual(before);
    });

    it("a missing signature or public key", () => {
      for (const missing of ["endorsement.json.sig", "public_key.pem"]) {
        const { out, key, dir } = setup();
        unlinkSync(join(dir, missing));
        const before = snapshot(out);
        expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "without its signature or public key");
        expect(snapshot(out)).toEqual(before);
      }
    });

    it("a public key file that is not a P-256 key", () => {
      const { out, key, dir } = setup();
      writeFileSync(join(dir, "public_key.pem"), publicKeyPem(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey));
      const before = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "not a P-256 public key");
      expect(snapshot(out)).toEqual(before);
    });

    it("a validly signed statement that reftrail did not write", () => {
      const { out, key, dir } = setup();
      const foreign = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}\n');
      writeFileSync(join(dir, "endorsement.json"), foreign);
      writeFileSync(join(dir, "endorsement.json.sig"), sign("sha256", foreign, key.privateKey));
      const before = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), key, TIMES), dir, "did not write");
      expect(snapshot(out)).toEqual(before);
    });

    it("a folder without endorsement.json (empty, or holding other files)", () => {
      const out = freshOut();
      const dir = join(out, "initrd");
      mkdirSync(dir, { recursive: true });
      const before = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), newKey(), TIMES), dir);
      expect(snapshot(out)).toEqual(before);
      writeFileSync(join(dir, "notes.txt"), "x");
      const before2 = snapshot(out);
      expectExists(() => endorseComponent(out, VALUES.release, component("initrd"), newKey(), TIMES), dir);
      expect(snapshot(out)).toEqual(before2);
      expect(hiddenEntries(out)).toEqual([]);
    });
  });

  it("refuses validity that ends before it begins, writing nothing; a single-instant validity is allowed", () => {
    const out = freshOut();
    let thrown: unknown;
    try {
      endorseComponent(out, VALUES.release, component("cmdline"), newKey(), { ...TIMES, notAfter: TIMES.notBefore - 1n });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EndorseError);
    expect((thrown as EndorseError).code).toBe("ENDORSEMENT_INVALID");
    mkdirSync(out, { recursive: true });
    expect(readdirSync(out)).toEqual([]);
    const ok = endorseComponent(out, VALUES.release, component("cmdline"), newKey(), { ...TIMES, notAfter: TIMES.notBefore });
    expect(ok.notAfter).toBe("2026-11-22T12:00:00Z");
    expect(JSON.parse(readFileSync(join(out, "cmdline", "endorsement.json"), "utf8")).predicate.validity).toEqual({ notBefore: "2026-11-22T12:00:00Z", notAfter: "2026-11-22T12:00:00Z" });
    expect(hiddenEntries(out)).toEqual([]);
  });

  it("uses Oak's file names", () => {
    expect(ENDORSEMENT_FILES.statement).toBe("endorsement.json");
    expect(ENDORSEMENT_FILES.signature).toBe("endorsement.json.sig");
    expect(ENDORSEMENT_FILES.publicKey).toBe("public_key.pem");
  });
});

describe("componentStatement / statementBytes", () => {
  it("renders the times as RFC 3339 UTC and refuses notAfter < notBefore", () => {
    const s = componentStatement(VALUES.release, component("ovmf-vars"), { issuedOn: 0n, notBefore: 1n, notAfter: ns("2100-02-28T23:59:59.999Z") });
    expect(s.predicate.issuedOn).toBe("1970-01-01T00:00:00Z");
    expect(s.predicate.validity).toEqual({ notBefore: "1970-01-01T00:00:00.000000001Z", notAfter: "2100-02-28T23:59:59.999Z" });
    expect(s.predicate.claims).toEqual([]);
    expect(s.subject).toEqual([rawComponent("ovmf-vars").subject]);
    expect(() => componentStatement(VALUES.release, component("ovmf-vars"), { issuedOn: 0n, notBefore: 2n, notAfter: 1n })).toThrow(EndorseError);
  });

  it("gives 2-space JSON with one final newline", () => {
    const s = componentStatement(VALUES.release, component("cmdline"), TIMES);
    const text = Buffer.from(statementBytes(s)).toString("utf8");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text.endsWith("\n\n")).toBe(false);
    expect(text).toContain('\n  "predicate": {\n    "issuedOn": "2026-11-22T11:59:59Z",');
  });
});

describe("signStatement / verifyStatementSignature", () => {
  const key = newKey();
  const bytes = Buffer.from("statement bytes\n");

  it("signs DER that verifies; refuses to sign with a mismatched key pair", () => {
    const sig = signStatement(bytes, key.privateKey, key.publicKey);
    expect(sig[0]).toBe(0x30);
    expect(verifyStatementSignature(bytes, sig, key.publicKey)).toBe(true);
    let thrown: unknown;
    try {
      signStatement(bytes, key.privateKey, newKey().publicKey);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EndorseError);
    expect((thrown as EndorseError).code).toBe("ENDORSEMENT_INVALID");
  });

  it("is false for other bytes, another key, raw r‖s, a trailing byte and garbage", () => {
    const sig = signStatement(bytes, key.privateKey, key.publicKey);
    expect(verifyStatementSignature(Buffer.from("statement bytes"), sig, key.publicKey)).toBe(false);
    expect(verifyStatementSignature(bytes, sig, newKey().publicKey)).toBe(false);
    expect(verifyStatementSignature(bytes, sign("sha256", bytes, { key: key.privateKey, dsaEncoding: "ieee-p1363" }), key.publicKey)).toBe(false);
    expect(verifyStatementSignature(bytes, Buffer.concat([sig, Buffer.from([0])]), key.publicKey)).toBe(false);
    expect(verifyStatementSignature(bytes, Buffer.alloc(0), key.publicKey)).toBe(false);
    expect(verifyStatementSignature(bytes, Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]), key.publicKey)).toBe(false);
    // An RSA public key makes node's verify throw; that is a "no", not an exception.
    expect(verifyStatementSignature(bytes, sig, generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey)).toBe(false);
  });
});
