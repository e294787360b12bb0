import { X509Certificate, createHash, generateKeyPairSync, verify } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPORT_SIZE, SIGNED_SIZE, SUPPORTED_VERSIONS, parseReport, type AttestationReport } from "../../../../src/verify/snp/abi/report.js";
import { SnpError } from "../../../../src/verify/snp/errors.js";
import { COMMITTED } from "../../../helpers/fixtures.js";
import { buildReport } from "../../../helpers/snp-pki.js";

/**
 * Expected values: MANIFEST.json and each set's verify.json (decoded independently of reftrail),
 * the spec's layout table (sev-snp-report.md §1, written out below), and reports written by
 * test/helpers/snp-pki.ts buildReport through reftrail's encoder (which report-encode.test.ts
 * holds byte for byte to the real reports); the tests read those at the spec's offsets.
 */

const REPORTS = join(COMMITTED, "snp-reports");
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

interface Tcb {
  readonly raw: string;
}
interface ManifestEntry {
  readonly set: string;
  readonly version: number;
  readonly policy: string;
  readonly vmpl: number;
  readonly measurement: string;
  readonly host_data: string;
  readonly report_data: string;
  readonly reported_tcb: Tcb;
  readonly current_tcb: Tcb;
  readonly committed_tcb: Tcb;
  readonly launch_tcb: Tcb;
  readonly platform_info: string;
  readonly signer_info: { author_key_en: number; mask_chip_key: number; signing_key: number };
  readonly cpuid_fms: { family: string; model: string; stepping: number } | null;
  readonly chip_id: string;
  readonly fw_current: string;
  readonly launch_mit_vector: string | null;
  readonly current_mit_vector: string | null;
  readonly sha384_report: string;
}
interface VerifyJson {
  readonly report: {
    version: number;
    guest_svn: number;
    policy: string;
    family_id: string;
    image_id: string;
    vmpl: number;
    sig_algo: number;
    current_tcb: Tcb;
    platform_info: string;
    signer_info: { author_key_en: number; mask_chip_key: number; signing_key: number };
    report_data: string;
    measurement: string;
    host_data: string;
    id_key_digest: string;
    author_key_digest: string;
    report_id: string;
    report_id_ma: string;
    reported_tcb: Tcb;
    cpuid_fms: { family: string; model: string; stepping: number } | null;
    chip_id: string;
    committed_tcb: Tcb;
    current_version: string;
    committed_version: string;
    launch_tcb: Tcb;
    launch_mit_vector: string | null;
    current_mit_vector: string | null;
  };
  readonly verification: { report_sha384: string };
}

const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];
const SIGNING_KEY = ["VCEK", "VLEK", undefined, undefined, undefined, undefined, undefined, "none"] as const;
const fwText = (v: { major: number; minor: number; build: number }) => `${v.major}.${v.minor}.${v.build}`;
const big = (s: string | null) => (s === null ? undefined : BigInt(s));

function expectSnpError(fn: () => unknown, code: string, ...mentions: (string | RegExp)[]): SnpError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected SnpError ${code}`).toBeInstanceOf(SnpError);
  const e = thrown as SnpError;
  expect(e.code).toBe(code);
  for (const m of mentions) expect(e.message).toMatch(m);
  return e;
}

describe("parseReport on every fixture report", () => {
  it("covers the 9 sets of MANIFEST.json", () => {
    expect(MANIFEST.map((m) => m.set).sort()).toEqual(readdirSync(REPORTS).filter((d) => !d.includes(".")).sort());
    expect(MANIFEST).toHaveLength(9);
  });

  for (const m of MANIFEST) {
    describe(m.set, () => {
      const bytes = new Uint8Array(readFileSync(join(REPORTS, m.set, "report.bin")));
      const v = JSON.parse(readFileSync(join(REPORTS, m.set, "verify.json"), "utf8")) as VerifyJson;
      const j = v.report;
      let r: AttestationReport;

      it("is 1184 bytes with the manifest's SHA-384 and parses", () => {
        expect(bytes.byteLength).toBe(1184);
        const digest = createHash("sha384").update(bytes).digest("hex");
        expect(digest).toBe(m.sha384_report);
        expect(digest).toBe(v.verification.report_sha384);
        r = parseReport(bytes);
        expect(hex(r.bytes)).toBe(hex(bytes));
      });

      it("has the manifest's and verify.json's scalar fields", () => {
        r = parseReport(bytes);
        expect(r.version).toBe(m.version);
        expect(r.version).toBe(j.version);
        expect(r.guestSvn).toBe(j.guest_svn);
        expect(r.policy).toBe(BigInt(m.policy));
        expect(r.policy).toBe(BigInt(j.policy));
        expect(r.vmpl).toBe(m.vmpl);
        expect(r.vmpl).toBe(j.vmpl);
        expect(r.signatureAlgo).toBe(j.sig_algo);
        expect(r.signatureAlgo).toBe(1);
        expect(r.platformInfo).toBe(BigInt(m.platform_info));
        expect(r.platformInfo).toBe(BigInt(j.platform_info));
      });

      it("has the manifest's TCB raw values (current, reported, committed, launch)", () => {
        r = parseReport(bytes);
        expect(r.currentTcb).toBe(BigInt(m.current_tcb.raw));
        expect(r.reportedTcb).toBe(BigInt(m.reported_tcb.raw));
        expect(r.committedTcb).toBe(BigInt(m.committed_tcb.raw));
        expect(r.launchTcb).toBe(BigInt(m.launch_tcb.raw));
        expect(r.currentTcb).toBe(BigInt(j.current_tcb.raw));
        expect(r.reportedTcb).toBe(BigInt(j.reported_tcb.raw));
        expect(r.committedTcb).toBe(BigInt(j.committed_tcb.raw));
        expect(r.launchTcb).toBe(BigInt(j.launch_tcb.raw));
      });

      it("has the manifest's signer info", () => {
        r = parseReport(bytes);
        for (const s of [m.signer_info, j.signer_info]) {
          expect(r.signerInfo.authorKeyEn).toBe(s.author_key_en === 1);
          expect(r.signerInfo.maskChipKey).toBe(s.mask_chip_key === 1);
          expect(r.signerInfo.signingKey).toBe(SIGNING_KEY[s.signing_key]);
        }
      });

      it("has the manifest's byte fields", () => {
        r = parseReport(bytes);
        expect(hex(r.reportData)).toBe(m.report_data);
        expect(hex(r.reportData)).toBe(j.report_data);
        expect(hex(r.measurement)).toBe(m.measurement);
        expect(hex(r.measurement)).toBe(j.measurement);
        expect(hex(r.hostData)).toBe(m.host_data);
        expect(hex(r.hostData)).toBe(j.host_data);
        expect(hex(r.familyId)).toBe(j.family_id);
        expect(hex(r.imageId)).toBe(j.image_id);
        expect(hex(r.idKeyDigest)).toBe(j.id_key_digest);
        expect(hex(r.authorKeyDigest)).toBe(j.author_key_digest);
        expect(hex(r.reportId)).toBe(j.report_id);
        expect(hex(r.reportIdMa)).toBe(j.report_id_ma);
        expect(hex(r.chipId)).toBe(m.chip_id);
        expect(hex(r.chipId)).toBe(j.chip_id);
        expect([r.familyId, r.imageId, r.idKeyDigest, r.authorKeyDigest, r.reportId, r.reportIdMa, r.chipId].map((x) => x.byteLength)).toEqual([16, 16, 48, 48, 32, 32, 64]);
      });

      it("has the manifest's CPUID (v3+ only), firmware versions and mitigation vectors (v5 only)", () => {
        r = parseReport(bytes);
        for (const c of [m.cpuid_fms, j.cpuid_fms]) {
          if (c === null) expect(r.cpuid).toBeUndefined();
          else expect(r.cpuid).toEqual({ family: Number(c.family), model: Number(c.model), stepping: c.stepping });
        }
        expect(r.cpuid === undefined).toBe(m.version < 3);
        expect(fwText(r.currentVersion)).toBe(m.fw_current);
        expect(fwText(r.currentVersion)).toBe(j.current_version);
        expect(fwText(r.committedVersion)).toBe(j.committed_version);
        expect(r.launchMitVector).toBe(big(m.launch_mit_vector));
        expect(r.currentMitVector).toBe(big(m.current_mit_vector));
        expect(r.launchMitVector).toBe(big(j.launch_mit_vector));
        expect(r.currentMitVector).toBe(big(j.current_mit_vector));
        expect(r.launchMitVector === undefined).toBe(m.version < 5);
      });

      it("has the signature r, s that verify over bytes 0..0x2A0 with the set's VEK (node crypto, P1363)", () => {
        r = parseReport(bytes);
        const file = readdirSync(join(REPORTS, m.set)).find((f) => /^(vcek|vlek)\.(der|pem)$/.test(f))!;
        const key = new X509Certificate(readFileSync(join(REPORTS, m.set, file))).publicKey;
        expect(r.signature.r.byteLength).toBe(48);
        expect(r.signature.s.byteLength).toBe(48);
        const sig = Buffer.concat([r.signature.r, r.signature.s]);
        expect(verify("sha384", bytes.subarray(0, SIGNED_SIZE), { key, dsaEncoding: "ieee-p1363" }, sig)).toBe(true);
        // r and s swapped do not verify (the parser returns them in the right roles).
        expect(verify("sha384", bytes.subarray(0, SIGNED_SIZE), { key, dsaEncoding: "ieee-p1363" }, Buffer.concat([r.signature.s, r.signature.r]))).toBe(false);
        // R is the byte-reverse of report[0x2A0:0x2D0] (spec §6.1).
        expect(hex(r.signature.r)).toBe(hex(Buffer.from(bytes.subarray(0x2a0, 0x2d0)).reverse()));
        expect(hex(r.signature.s)).toBe(hex(Buffer.from(bytes.subarray(0x2e8, 0x318)).reverse()));
      });

      it("returns copies: changing a returned field does not change the report bytes", () => {
        const copy = Uint8Array.from(bytes);
        const parsed = parseReport(copy);
        parsed.measurement.fill(0);
        parsed.chipId.fill(0);
        expect(hex(copy)).toBe(hex(bytes));
      });
    });
  }
});

/** Offsets of the spec table (§1), for the tests that write single bytes. */
const RESERVED: Record<2 | 3 | 5, [number, number][]> = {
  2: [[0x04c, 0x050], [0x188, 0x1a0], [0x1eb, 0x1ec], [0x1ef, 0x1f0], [0x1f8, 0x2a0], [0x2d0, 0x2e8], [0x318, 0x330], [0x330, 0x4a0]],
  3: [[0x04c, 0x050], [0x18b, 0x1a0], [0x1eb, 0x1ec], [0x1ef, 0x1f0], [0x1f8, 0x2a0], [0x2d0, 0x2e8], [0x318, 0x330], [0x330, 0x4a0]],
  5: [[0x04c, 0x050], [0x18b, 0x1a0], [0x1eb, 0x1ec], [0x1ef, 0x1f0], [0x208, 0x2a0], [0x2d0, 0x2e8], [0x318, 0x330], [0x330, 0x4a0]],
};
/** Fields with value constraints checked by parseReport: VERSION, POLICY, SIGNATURE_ALGO, signer info. */
const CONSTRAINED: [number, number][] = [[0x000, 0x004], [0x008, 0x010], [0x034, 0x038], [0x048, 0x04c]];
const inRanges = (off: number, ranges: [number, number][]) => ranges.some(([a, b]) => off >= a && off < b);

const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
const built: Record<2 | 3 | 5, Uint8Array> = {
  2: buildReport({ version: 2 }, privateKey),
  3: buildReport({ version: 3 }, privateKey),
  5: buildReport({ version: 5 }, privateKey),
};
const withByte = (base: Uint8Array, off: number, value: number) => {
  const copy = Uint8Array.from(base);
  copy[off] = value;
  return copy;
};
const withU32 = (base: Uint8Array, off: number, value: number) => {
  const copy = Buffer.from(base);
  copy.writeUInt32LE(value >>> 0, off);
  return new Uint8Array(copy);
};
const withU64 = (base: Uint8Array, off: number, value: bigint) => {
  const copy = Buffer.from(base);
  copy.writeBigUInt64LE(value, off);
  return new Uint8Array(copy);
};

describe("parseReport on built reports", () => {
  it("accepts versions 2 to 5 exactly (SUPPORTED_VERSIONS; sev-snp-report.md §1: 'reftrail: accept 2..5')", () => {
    expect([...SUPPORTED_VERSIONS]).toEqual([2, 3, 4, 5]);
    for (const version of [2, 3, 5] as const) expect(parseReport(built[version]).version).toBe(version);
  });

  it("reads a version 4 report with the version 3 layout: CPUID present, no mitigation vectors, 0x1F8..0x2A0 reserved", () => {
    const v4 = parseReport(buildReport({ version: 4, cpuid: [0x19, 0x11, 0x01] }, privateKey));
    expect(v4.version).toBe(4);
    expect(v4.cpuid).toEqual({ family: 0x19, model: 0x11, stepping: 0x01 });
    expect(v4.launchMitVector).toBeUndefined();
    expect(v4.currentMitVector).toBeUndefined();
    // A v5 report with mitigation vectors, relabelled v4: they sit in what v4 reserves.
    expectSnpError(() => parseReport(withU32(buildReport({ version: 5, launchMitVector: 1n }, privateKey), 0, 4)), "REPORT_FORMAT", /0x1F8/);
    expectSnpError(() => parseReport(withU32(buildReport({ version: 5, currentMitVector: 1n }, privateKey), 0, 4)), "REPORT_FORMAT", /0x1F8/);
  });

  it("reads fields written at the spec's offsets", () => {
    const fill = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
    const bytes = buildReport(
      {
        version: 5,
        guestSvn: 0x01020304,
        policy: 0x3_ff1fn | (1n << 25n),
        familyId: fill(16, 0x10),
        imageId: fill(16, 0x20),
        vmpl: 3,
        currentTcb: 0x1122_3344_5566_7788n,
        platformInfo: 0xffff_ffff_ffff_ffffn,
        signerInfo: 0b11111,
        reportData: fill(64, 0x50),
        measurement: fill(48, 0x90),
        hostData: fill(32, 0xc0),
        idKeyDigest: fill(48, 0xe0),
        authorKeyDigest: fill(48, 0x10),
        reportId: fill(32, 0x40),
        reportIdMa: fill(32, 0x60),
        reportedTcb: 0x0102_0304_0506_0708n,
        cpuid: [0x1a, 0x11, 0x07],
        chipId: fill(64, 0xa0),
        committedTcb: 0xa1a2_a3a4_a5a6_a7a8n,
        currentVersion: [61, 55, 1],
        committedVersion: [43, 54, 2],
        launchTcb: 0xb1b2_b3b4_b5b6_b7b8n,
        launchMitVector: 0x8000_0000_0000_0001n,
        currentMitVector: 0x7fff_ffff_ffff_fffen,
      },
      privateKey,
    );
    const r = parseReport(bytes);
    expect(r.guestSvn).toBe(0x01020304);
    expect(r.policy).toBe(0x3_ff1fn | (1n << 25n));
    expect(hex(r.familyId)).toBe(hex(bytes.subarray(0x10, 0x20)));
    expect(r.familyId[0]).toBe(0x10);
    expect(r.imageId[15]).toBe(0x2f);
    expect(r.vmpl).toBe(3);
    expect(r.currentTcb).toBe(0x1122_3344_5566_7788n);
    expect(r.platformInfo).toBe(0xffff_ffff_ffff_ffffn);
    expect(r.signerInfo).toEqual({ raw: 0b11111, authorKeyEn: true, maskChipKey: true, signingKey: "none" });
    expect(r.reportData[0]).toBe(0x50);
    expect(r.reportData[63]).toBe(0x8f);
    expect(r.measurement[0]).toBe(0x90);
    expect(r.measurement[47]).toBe(0xbf);
    expect(r.hostData[31]).toBe(0xdf);
    expect(r.idKeyDigest[47]).toBe(0x0f);
    expect(r.authorKeyDigest[0]).toBe(0x10);
    expect(r.reportId[0]).toBe(0x40);
    expect(r.reportIdMa[31]).toBe(0x7f);
    expect(r.reportedTcb).toBe(0x0102_0304_0506_0708n);
    expect(r.cpuid).toEqual({ family: 0x1a, model: 0x11, stepping: 0x07 });
    expect(r.chipId[0]).toBe(0xa0);
    expect(r.chipId[63]).toBe(0xdf);
    expect(r.committedTcb).toBe(0xa1a2_a3a4_a5a6_a7a8n);
    expect(r.currentVersion).toEqual({ major: 1, minor: 55, build: 61 });
    expect(r.committedVersion).toEqual({ major: 2, minor: 54, build: 43 });
    expect(r.launchTcb).toBe(0xb1b2_b3b4_b5b6_b7b8n);
    expect(r.launchMitVector).toBe(0x8000_0000_0000_0001n);
    expect(r.currentMitVector).toBe(0x7fff_ffff_ffff_fffen);
  });

  it("leaves CPUID undefined for v2 and the mitigation vectors undefined before v5", () => {
    expect(parseReport(built[2]).cpuid).toBeUndefined();
    expect(parseReport(built[3]).cpuid).toEqual({ family: 0x19, model: 0x01, stepping: 0x01 });
    expect(parseReport(built[3]).launchMitVector).toBeUndefined();
    expect(parseReport(built[3]).currentMitVector).toBeUndefined();
    expect(parseReport(built[5]).launchMitVector).toBe(0n);
  });
});

describe("parseReport rejections", () => {
  it("REPORT_SIZE for 0 bytes and every size from 1164 to 1204 except 1184, and for 2 reports", () => {
    expect(REPORT_SIZE).toBe(1184);
    const sizes = [0, 1, 0x2a0, ...Array.from({ length: 41 }, (_, i) => 1164 + i).filter((n) => n !== 1184), 2368];
    for (const size of sizes) {
      const bytes = new Uint8Array(size);
      bytes.set(built[5].subarray(0, Math.min(size, 1184)));
      expectSnpError(() => parseReport(bytes), "REPORT_SIZE", new RegExp(`\\b${size} bytes`), /1184/);
    }
  });

  it("REPORT_VERSION for versions 0, 1, 6, 7, 0xffffffff, naming the supported versions", () => {
    for (const version of [0, 1, 6, 7, 0x100, 0xffff_ffff]) {
      expectSnpError(() => parseReport(withU32(built[5], 0, version)), "REPORT_VERSION", new RegExp(`VERSION is ${version}\\b`), /2, 3, 4, 5/);
    }
  });

  for (const version of [2, 3, 5] as const) {
    it(`v${version}: REPORT_FORMAT naming the offset for a non-zero byte anywhere in each reserved range`, () => {
      let count = 0;
      for (const [from, to] of RESERVED[version]) {
        for (let off = from; off < to; off++) {
          for (const value of [0x01, 0x80]) {
            const e = expectSnpError(() => parseReport(withByte(built[version], off, value)), "REPORT_FORMAT");
            expect(e.message, `offset 0x${off.toString(16)}`).toMatch(new RegExp(`byte 0x${off.toString(16)}\\b`, "i"));
            count++;
          }
        }
      }
      // 4 + 24/21 + 1 + 1 + 168/152 + 24 + 24 + 368 bytes
      expect(count / 2).toBe(version === 2 ? 614 : version === 3 ? 611 : 595);
    });

    it(`v${version}: accepts a non-zero byte at every offset outside the reserved ranges and constrained fields`, () => {
      for (let off = 0; off < REPORT_SIZE; off++) {
        if (inRanges(off, RESERVED[version]) || inRanges(off, CONSTRAINED)) continue;
        expect(() => parseReport(withByte(built[version], off, 0xa5)), `offset 0x${off.toString(16)}`).not.toThrow();
      }
    });
  }

  it("distinguishes the versions: CPUID bytes are reserved in v2 only, mitigation vectors in v2/v3 only", () => {
    expect(parseReport(withByte(built[3], 0x188, 0x19)).cpuid?.family).toBe(0x19);
    expectSnpError(() => parseReport(withByte(built[2], 0x188, 0x19)), "REPORT_FORMAT", /0x188/);
    expectSnpError(() => parseReport(withByte(built[2], 0x18a, 0x01)), "REPORT_FORMAT", /0x18A/i);
    expect(parseReport(withByte(built[5], 0x1f8, 0x01)).launchMitVector).toBe(1n);
    expect(parseReport(withByte(built[5], 0x207, 0x80)).currentMitVector).toBe(0x80n << 56n);
    expectSnpError(() => parseReport(withByte(built[3], 0x1f8, 0x01)), "REPORT_FORMAT", /0x1F8/i);
    expectSnpError(() => parseReport(withByte(built[3], 0x207, 0x01)), "REPORT_FORMAT", /0x207/i);
  });

  it("REPORT_FORMAT for SIGNATURE_ALGO other than 1", () => {
    for (const algo of [0, 2, 3, 0x100, 0xffff_ffff]) {
      expectSnpError(() => parseReport(withU32(built[5], 0x34, algo)), "REPORT_FORMAT", /SIGNATURE_ALGO/, new RegExp(`\\b${algo}\\b`));
    }
  });

  it("REPORT_FORMAT for POLICY bit 17 clear", () => {
    for (const policy of [0n, 0x10000n, 0x1001fn, 0x90000n]) {
      expectSnpError(() => parseReport(withU64(built[5], 0x08, policy)), "REPORT_FORMAT", /POLICY/, /17/);
    }
  });

  it("REPORT_FORMAT for each POLICY bit 26..63; bits 0..25 are accepted", () => {
    for (let bit = 26; bit < 64; bit++) {
      expectSnpError(() => parseReport(withU64(built[5], 0x08, 0x30000n | (1n << BigInt(bit)))), "REPORT_FORMAT", /POLICY/, /63:26/);
    }
    for (let bit = 0; bit < 26; bit++) {
      expect(parseReport(withU64(built[5], 0x08, 0x20000n | (1n << BigInt(bit)))).policy).toBe(0x20000n | (1n << BigInt(bit)));
    }
  });

  it("REPORT_FORMAT for a reserved SIGNING_KEY (2..6) and for each signer-info bit 5..31", () => {
    for (const key of [2, 3, 4, 5, 6]) {
      for (const low of [0, 1, 2, 3]) expectSnpError(() => parseReport(withU32(built[5], 0x48, (key << 2) | low)), "REPORT_FORMAT", /signer info/);
    }
    for (let bit = 5; bit < 32; bit++) expectSnpError(() => parseReport(withU32(built[5], 0x48, 2 ** bit)), "REPORT_FORMAT", /signer info/);
    for (const [word, key] of [[0, "VCEK"], [1 << 2, "VLEK"], [7 << 2, "none"]] as const) {
      for (const low of [0, 1, 2, 3]) {
        const info = parseReport(withU32(built[5], 0x48, word | low)).signerInfo;
        expect(info).toEqual({ raw: word | low, authorKeyEn: (low & 1) === 1, maskChipKey: (low & 2) === 2, signingKey: key });
      }
    }
  });

  it("checks the fixtures' reserved bytes too: a real report with one reserved byte set is refused", () => {
    for (const m of MANIFEST) {
      const bytes = new Uint8Array(readFileSync(join(REPORTS, m.set, "report.bin")));
      expectSnpError(() => parseReport(withByte(bytes, 0x4a0 - 1, 1)), "REPORT_FORMAT", /0x49F/i);
      expectSnpError(() => parseReport(withByte(bytes, 0x04c, 1)), "REPORT_FORMAT", /0x4C/i);
    }
  });
});
