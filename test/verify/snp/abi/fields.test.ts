import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM_INFO_BITS, POLICY_MBZ, POLICY_RESERVED_ONE, decodeGuestPolicy, decodeSignerInfo, platformInfoNames } from "../../../../src/verify/snp/abi/fields.js";
import { COMMITTED } from "../../../helpers/fixtures.js";

/** Expected values: the bit tables of the spec §3-§5 and each fixture's verify.json policy_bits. */

const REPORTS = join(COMMITTED, "snp-reports");
interface ManifestEntry {
  readonly set: string;
  readonly policy: string;
  readonly platform_info: string;
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];

const NONE = {
  abiMinor: 0,
  abiMajor: 0,
  smt: false,
  migrateMa: false,
  debug: false,
  singleSocket: false,
  cxlAllow: false,
  memAes256Xts: false,
  raplDis: false,
  ciphertextHiding: false,
  pageSwapDisable: false,
};

describe("decodeGuestPolicy", () => {
  it("0x30000: SMT allowed, ABI 0.0, nothing else", () => {
    expect(decodeGuestPolicy(0x30000n)).toEqual({ ...NONE, raw: 0x30000n, smt: true });
  });

  it("0x3001F: SMT allowed, ABI 0.31", () => {
    expect(decodeGuestPolicy(0x3001fn)).toEqual({ ...NONE, raw: 0x3001fn, smt: true, abiMinor: 31 });
  });

  it("0xB0000: SMT allowed and DEBUG (the go-sev-guest fixture)", () => {
    expect(decodeGuestPolicy(0xb0000n)).toEqual({ ...NONE, raw: 0xb0000n, smt: true, debug: true });
  });

  it("decodes each named bit on its own (§3 table)", () => {
    const table: [number, keyof typeof NONE][] = [
      [16, "smt"],
      [18, "migrateMa"],
      [19, "debug"],
      [20, "singleSocket"],
      [21, "cxlAllow"],
      [22, "memAes256Xts"],
      [23, "raplDis"],
      [24, "ciphertextHiding"],
      [25, "pageSwapDisable"],
    ];
    for (const [bit, name] of table) {
      const raw = (1n << 17n) | (1n << BigInt(bit));
      expect(decodeGuestPolicy(raw), `bit ${bit}`).toEqual({ ...NONE, raw, [name]: true });
    }
  });

  it("reads ABI_MAJOR from bits 15:8 and ABI_MINOR from bits 7:0", () => {
    expect(decodeGuestPolicy(0x2_0102n)).toMatchObject({ abiMajor: 1, abiMinor: 2 });
    expect(decodeGuestPolicy(0x2_ff00n)).toMatchObject({ abiMajor: 255, abiMinor: 0 });
    expect(decodeGuestPolicy(0x2_00ffn)).toMatchObject({ abiMajor: 0, abiMinor: 255 });
  });

  it("agrees with every fixture's verify.json policy_bits", () => {
    for (const m of MANIFEST) {
      const v = JSON.parse(readFileSync(join(REPORTS, m.set, "verify.json"), "utf8")) as {
        report: { policy: string; policy_bits: { abi: string; smt: boolean; migrate_ma: boolean; debug: boolean; single_socket: boolean } };
      };
      const g = decodeGuestPolicy(BigInt(v.report.policy));
      const b = v.report.policy_bits;
      expect(`${g.abiMajor}.${g.abiMinor}`, m.set).toBe(b.abi);
      expect(g.smt, m.set).toBe(b.smt);
      expect(g.migrateMa, m.set).toBe(b.migrate_ma);
      expect(g.debug, m.set).toBe(b.debug);
      expect(g.singleSocket, m.set).toBe(b.single_socket);
    }
  });

  it("POLICY_RESERVED_ONE is bit 17 and POLICY_MBZ exactly bits 63:26", () => {
    expect(POLICY_RESERVED_ONE).toBe(0x20000n);
    for (let bit = 0; bit < 64; bit++) expect((POLICY_MBZ >> BigInt(bit)) & 1n, `bit ${bit}`).toBe(bit >= 26 ? 1n : 0n);
    expect(POLICY_MBZ >> 64n).toBe(0n);
  });
});

describe("platformInfoNames", () => {
  it("names the known bits (§4) and keeps unknown ones as 'bit N'", () => {
    expect(PLATFORM_INFO_BITS).toEqual({ SMT_EN: 0, TSME_EN: 1, ECC_EN: 2, RAPL_DIS: 3, CIPHERTEXT_HIDING_DRAM_EN: 4, ALIAS_CHECK_COMPLETE: 5, SEV_TIO_EN: 7 });
    expect(platformInfoNames(0n)).toEqual([]);
    expect(platformInfoNames(0x1n)).toEqual(["SMT_EN"]);
    expect(platformInfoNames(0x24n)).toEqual(["ECC_EN", "ALIAS_CHECK_COMPLETE"]);
    expect(platformInfoNames(0x25n)).toEqual(["SMT_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE"]);
    expect(platformInfoNames(0x27n)).toEqual(["SMT_EN", "TSME_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE"]);
    expect(platformInfoNames(0x18n)).toEqual(["RAPL_DIS", "CIPHERTEXT_HIDING_DRAM_EN"]);
    expect(platformInfoNames(0x80n)).toEqual(["SEV_TIO_EN"]);
  });

  it("0x67 (the Oak Turin report) includes 'bit 6'", () => {
    const names = platformInfoNames(0x67n);
    expect(names).toContain("bit 6");
    expect(names).toEqual(["SMT_EN", "TSME_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE", "bit 6"]);
  });

  it("names every reserved bit 8..63 as 'bit N' (bit 63 included)", () => {
    for (let bit = 8; bit < 64; bit++) expect(platformInfoNames(1n << BigInt(bit))).toEqual([`bit ${bit}`]);
    expect(platformInfoNames(0xffff_ffff_ffff_ffffn)).toHaveLength(64);
  });

  it("decodes every fixture's PLATFORM_INFO without losing a set bit", () => {
    for (const m of MANIFEST) {
      const raw = BigInt(m.platform_info);
      let popcount = 0;
      for (let v = raw; v; v >>= 1n) popcount += Number(v & 1n);
      expect(platformInfoNames(raw), m.set).toHaveLength(popcount);
    }
  });
});

describe("decodeSignerInfo", () => {
  it("SIGNING_KEY 0 = VCEK, 1 = VLEK, 7 = none (bits 4:2); AUTHOR_KEY_EN bit 0; MASK_CHIP_KEY bit 1", () => {
    expect(decodeSignerInfo(0)).toEqual({ raw: 0, authorKeyEn: false, maskChipKey: false, signingKey: "VCEK" });
    expect(decodeSignerInfo(0b100)).toEqual({ raw: 4, authorKeyEn: false, maskChipKey: false, signingKey: "VLEK" });
    expect(decodeSignerInfo(0b11100)).toEqual({ raw: 28, authorKeyEn: false, maskChipKey: false, signingKey: "none" });
    expect(decodeSignerInfo(0b1)).toEqual({ raw: 1, authorKeyEn: true, maskChipKey: false, signingKey: "VCEK" });
    expect(decodeSignerInfo(0b10)).toEqual({ raw: 2, authorKeyEn: false, maskChipKey: true, signingKey: "VCEK" });
    expect(decodeSignerInfo(0b111)).toEqual({ raw: 7, authorKeyEn: true, maskChipKey: true, signingKey: "VLEK" });
    expect(decodeSignerInfo(0b11111)).toEqual({ raw: 31, authorKeyEn: true, maskChipKey: true, signingKey: "none" });
  });

  it("is undefined for reserved SIGNING_KEY values 2..6", () => {
    for (let key = 2; key <= 6; key++) for (let low = 0; low < 4; low++) expect(decodeSignerInfo((key << 2) | low)).toBeUndefined();
  });

  it("is undefined when any of bits 31:5 is set", () => {
    for (let bit = 5; bit < 32; bit++) {
      expect(decodeSignerInfo(2 ** bit), `bit ${bit}`).toBeUndefined();
      expect(decodeSignerInfo(2 ** bit + 0b100), `bit ${bit}`).toBeUndefined();
    }
    expect(decodeSignerInfo(0xffff_ffff)).toBeUndefined();
  });
});
