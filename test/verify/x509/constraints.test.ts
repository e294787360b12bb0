import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DerError } from "../../../src/util/der.js";
import { parseCertificate, type Certificate } from "../../../src/verify/x509/certificate.js";
import { basicConstraints, chainRoleProblems, KEY_USAGE_BIT, keyUsage, unprocessedCriticalExtensions } from "../../../src/verify/x509/constraints.js";
import { COMMITTED } from "../../helpers/fixtures.js";
import { tempDir } from "../../helpers/tlog.js";

/*
 * Expected constraints come from `openssl x509 -text` on AMD's certificates (quoted in the tests)
 * and from certificates openssl makes here with the extensions written out in each case.
 */

const real = (path: string): Certificate => parseCertificate(new Uint8Array(new X509Certificate(readFileSync(join(COMMITTED, path))).raw));
const dir = tempDir("x509-constraints");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", join(dir, "key.pem")]);

let n = 0;
/** A self-signed v3 certificate carrying exactly the given extension lines (openssl x509v3_config syntax). */
function made(extensions: readonly string[]): Certificate {
  const id = `c${n++}`;
  writeFileSync(join(dir, `${id}.cnf`), `[req]\ndistinguished_name=dn\nx509_extensions=ext\n[dn]\n[ext]\n${extensions.join("\n")}\n`);
  execFileSync("openssl", ["req", "-x509", "-config", `${id}.cnf`, "-key", "key.pem", "-subj", "/CN=test", "-days", "1", "-out", `${id}.pem`], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  return parseCertificate(new Uint8Array(new X509Certificate(readFileSync(join(dir, `${id}.pem`))).raw));
}

describe("basicConstraints and keyUsage on AMD's certificates", () => {
  it("ARK-Milan: 'CA:TRUE' (no path length), 'Certificate Sign, CRL Sign'", () => {
    const ark = real("amd/ark_milan.pem");
    expect(basicConstraints(ark)).toEqual({ ca: true, pathLength: undefined });
    expect([...keyUsage(ark)!].sort()).toEqual([5, 6]);
    expect(chainRoleProblems(ark, { kind: "ca", issuesCa: true })).toEqual([]);
  });

  for (const file of ["ask_milan", "ask_genoa", "ask_turin", "asvk_milan", "asvk_turin"]) {
    it(`${file}: 'CA:TRUE, pathlen:0', 'Certificate Sign'`, () => {
      const ask = real(`amd/${file}.pem`);
      expect(basicConstraints(ask)).toEqual({ ca: true, pathLength: 0 });
      expect([...keyUsage(ask)!]).toEqual([5]);
      expect(chainRoleProblems(ask, { kind: "ca", issuesCa: false })).toEqual([]);
      // Path length 0: it may not issue another CA; and its keyUsage does not include cRLSign.
      expect(chainRoleProblems(ask, { kind: "ca", issuesCa: true })).toEqual(["path length 0 forbids issuing the ASK/ASVK"]);
      expect(keyUsage(ask)!.has(KEY_USAGE_BIT.cRLSign)).toBe(false);
      expect(chainRoleProblems(ask, { kind: "leaf" })).toEqual(["a CA certificate (basicConstraints cA TRUE) used as the signing key", "keyUsage lacks digitalSignature"]);
    });
  }

  it("a real VCEK (Oak Turin) has neither extension and no critical one", () => {
    const vcek = real("snp-reports/oak_turin_oc/vcek.der");
    expect(basicConstraints(vcek)).toBeUndefined();
    expect(keyUsage(vcek)).toBeUndefined();
    expect(unprocessedCriticalExtensions(vcek, new Set())).toEqual([]);
    expect(chainRoleProblems(vcek, { kind: "leaf" })).toEqual([]);
    expect(chainRoleProblems(vcek, { kind: "ca", issuesCa: false })).toEqual(["not a CA (basicConstraints cA is not TRUE)"]);
  });
});

describe("chainRoleProblems on openssl-made certificates", () => {
  it("a leaf with 'CA:FALSE' and digitalSignature is fine; the DEFAULT encoding is empty", () => {
    const leaf = made(["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature"]);
    expect(basicConstraints(leaf)).toEqual({ ca: false, pathLength: undefined });
    expect(chainRoleProblems(leaf, { kind: "leaf" })).toEqual([]);
  });

  it("a leaf whose keyUsage is only keyCertSign may not sign reports", () => {
    expect(chainRoleProblems(made(["keyUsage=critical,keyCertSign"]), { kind: "leaf" })).toEqual(["keyUsage lacks digitalSignature"]);
  });

  it("a CA without basicConstraints, or with keyUsage lacking keyCertSign, is not a CA", () => {
    expect(chainRoleProblems(made(["keyUsage=critical,keyCertSign"]), { kind: "ca", issuesCa: false })).toEqual(["not a CA (basicConstraints cA is not TRUE)"]);
    expect(chainRoleProblems(made(["basicConstraints=critical,CA:true", "keyUsage=critical,digitalSignature"]), { kind: "ca", issuesCa: false })).toEqual(["keyUsage lacks keyCertSign"]);
  });

  it("a root with path length 1 may issue the ASK; with 0 it may not", () => {
    expect(basicConstraints(made(["basicConstraints=critical,CA:true,pathlen:1"]))).toEqual({ ca: true, pathLength: 1 });
    expect(chainRoleProblems(made(["basicConstraints=critical,CA:true,pathlen:1"]), { kind: "ca", issuesCa: true })).toEqual([]);
    expect(chainRoleProblems(made(["basicConstraints=critical,CA:true,pathlen:0"]), { kind: "ca", issuesCa: true })).toEqual(["path length 0 forbids issuing the ASK/ASVK"]);
  });

  it("names every critical extension it does not process, unless the caller processes it", () => {
    const cert = made(["basicConstraints=critical,CA:true", "1.2.3.4=critical,ASN1:NULL", "1.2.3.5=ASN1:NULL", "subjectAltName=critical,DNS:example.com"]);
    expect(unprocessedCriticalExtensions(cert, new Set(["2.5.29.19"])).sort()).toEqual(["1.2.3.4", "2.5.29.17"]);
    expect(chainRoleProblems(cert, { kind: "ca", issuesCa: false })).toEqual(["unprocessed critical extension 1.2.3.4, 2.5.29.17"]);
    expect(chainRoleProblems(cert, { kind: "ca", issuesCa: false }, ["1.2.3.4", "2.5.29.17"])).toEqual([]);
  });

  it("reports a malformed basicConstraints or keyUsage as one problem, and the readers throw a DerError", () => {
    const badBc = made(["basicConstraints=critical,DER:30030101ff02"]);
    expect(chainRoleProblems(badBc, { kind: "ca", issuesCa: false })[0]).toMatch(/^malformed /);
    expect(() => basicConstraints(badBc)).toThrow(DerError);
    // cA FALSE written out: the DEFAULT, which DER omits.
    const explicitFalse = made(["basicConstraints=critical,DER:3003010100"]);
    expect(() => basicConstraints(explicitFalse)).toThrow(/default cA FALSE/);
    const extraField = made(["basicConstraints=critical,DER:30080101ff0201000500"]);
    expect(() => basicConstraints(extraField)).toThrow(/unexpected fields/);
    const badKu = made(["keyUsage=critical,DER:03020206"]);
    expect(() => keyUsage(badKu)).toThrow(/unused bits/);
    expect(chainRoleProblems(badKu, { kind: "leaf" })).toEqual(["malformed BIT STRING has non-zero unused bits"]);
  });
});
