import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Product } from "../../../../src/verify/snp/abi/product.js";
import { parseReport } from "../../../../src/verify/snp/abi/report.js";
import { decodeTcb, encodeTcb, formatTcb, tcbComponents, tcbReservedBits, tcbShortfall } from "../../../../src/verify/snp/abi/tcb.js";
import { COMMITTED } from "../../../helpers/fixtures.js";
import { milanTcb, turinTcb } from "../../../helpers/snp-pki.js";

/** Expected values: the spec's worked examples (§2) and MANIFEST.json's decoded TCBs. */

const REPORTS = join(COMMITTED, "snp-reports");
interface ManifestTcb {
  readonly raw: string;
  readonly fmc?: number;
  readonly bl: number;
  readonly tee: number;
  readonly snp: number;
  readonly ucode: number;
}
interface ManifestEntry {
  readonly set: string;
  readonly product: string;
  readonly reported_tcb: ManifestTcb;
  readonly current_tcb: ManifestTcb;
  readonly committed_tcb: ManifestTcb;
  readonly launch_tcb: ManifestTcb;
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];
/** "Milan (B0)", "Genoa (cpuid ...)", "Turin (fam ...)": the first word names the product. */
const productOf = (m: ManifestEntry) => m.product.split(/[\s(]/)[0] as Product;

describe("decodeTcb", () => {
  it("decodes the spec's Milan example 0x4405000000000002 = bl 2, tee 0, snp 5, ucode 68", () => {
    for (const product of ["Milan", "Genoa"] as const) {
      expect(decodeTcb(0x4405000000000002n, product)).toEqual({ raw: 0x4405000000000002n, bl: 2, tee: 0, snp: 5, ucode: 68 });
    }
  });

  it("decodes the spec's synthetic Turin example 0x4800000003000201 = fmc 1, bl 2, tee 0, snp 3, ucode 72", () => {
    expect(decodeTcb(0x4800000003000201n, "Turin")).toEqual({ raw: 0x4800000003000201n, fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 });
  });

  it("reads the same bytes differently per layout (byte i = bits 8i+7..8i)", () => {
    // bytes [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]
    const raw = 0x8877665544332211n;
    expect(decodeTcb(raw, "Milan")).toEqual({ raw, bl: 0x11, tee: 0x22, snp: 0x77, ucode: 0x88 });
    expect(decodeTcb(raw, "Turin")).toEqual({ raw, fmc: 0x11, bl: 0x22, tee: 0x33, snp: 0x44, ucode: 0x88 });
  });

  it("matches the test helpers' encoders, which are written from the spec", () => {
    expect(decodeTcb(milanTcb(3, 1, 8, 115), "Genoa")).toMatchObject({ bl: 3, tee: 1, snp: 8, ucode: 115 });
    expect(decodeTcb(turinTcb(4, 3, 1, 8, 255), "Turin")).toMatchObject({ fmc: 4, bl: 3, tee: 1, snp: 8, ucode: 255 });
    expect(milanTcb(2, 0, 5, 68)).toBe(0x4405000000000002n);
    expect(turinTcb(1, 2, 0, 3, 72)).toBe(0x4800000003000201n);
  });

  for (const m of MANIFEST) {
    it(`${m.set}: every TCB in the report decodes to the manifest's components (${productOf(m)} layout)`, () => {
      const product = productOf(m);
      expect(["Milan", "Genoa", "Turin"]).toContain(product);
      const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, m.set, "report.bin"))));
      const pairs: [bigint, ManifestTcb][] = [
        [r.reportedTcb, m.reported_tcb],
        [r.currentTcb, m.current_tcb],
        [r.committedTcb, m.committed_tcb],
        [r.launchTcb, m.launch_tcb],
      ];
      for (const [raw, want] of pairs) {
        expect(raw).toBe(BigInt(want.raw));
        const { raw: _raw, ...components } = want;
        expect(decodeTcb(raw, product)).toEqual({ raw, ...components });
        expect(tcbReservedBits(raw, product)).toBe(0n);
      }
    });
  }

  it("the Turin fixture's TCB means something else under the Milan layout (layouts are not interchangeable)", () => {
    const turin = MANIFEST.find((m) => m.set === "oak_turin_oc")!;
    const raw = BigInt(turin.reported_tcb.raw);
    expect(decodeTcb(raw, "Turin")).toMatchObject({ fmc: 0, bl: 1, tee: 0, snp: 2, ucode: 71 });
    expect(decodeTcb(raw, "Milan")).toMatchObject({ bl: 0, tee: 1, snp: 0, ucode: 71 });
    expect(tcbReservedBits(raw, "Milan")).not.toBe(0n);
  });
});

describe("encodeTcb", () => {
  it("encodes the spec's examples (§2)", () => {
    expect(encodeTcb({ bl: 2, tee: 0, snp: 5, ucode: 68 }, "Milan")).toBe(0x4405000000000002n);
    expect(encodeTcb({ bl: 2, tee: 0, snp: 5, ucode: 68 }, "Genoa")).toBe(0x4405000000000002n);
    expect(encodeTcb({ fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 }, "Turin")).toBe(0x4800000003000201n);
  });

  for (const m of MANIFEST) {
    it(`${m.set}: encodes the manifest's reported TCB components to the report's raw value`, () => {
      const { raw, ...levels } = m.reported_tcb;
      expect(encodeTcb(levels, productOf(m))).toBe(BigInt(raw));
    });
  }

  it("leaves out what the layout has no byte for, and refuses a level that is not a byte", () => {
    expect(encodeTcb({ fmc: 9, bl: 1 }, "Milan")).toBe(1n);
    for (const bad of [256, -1, 1.5]) expect(() => encodeTcb({ snp: bad }, "Milan")).toThrow(RangeError);
  });
});

describe("tcbReservedBits", () => {
  it("Milan/Genoa reserve bytes 2..5, Turin bytes 4..6", () => {
    for (let i = 0; i < 8; i++) {
      const raw = 0xffn << BigInt(8 * i);
      expect(tcbReservedBits(raw, "Milan"), `byte ${i}`).toBe([2, 3, 4, 5].includes(i) ? raw : 0n);
      expect(tcbReservedBits(raw, "Genoa"), `byte ${i}`).toBe([2, 3, 4, 5].includes(i) ? raw : 0n);
      expect(tcbReservedBits(raw, "Turin"), `byte ${i}`).toBe([4, 5, 6].includes(i) ? raw : 0n);
    }
    expect(tcbReservedBits(0xffff_ffff_ffff_ffffn, "Milan")).toBe(0x0000_ffff_ffff_0000n);
    expect(tcbReservedBits(0xffff_ffff_ffff_ffffn, "Turin")).toBe(0x00ff_ffff_0000_0000n);
  });
});

describe("tcbComponents", () => {
  it("lists fmc only for Turin", () => {
    expect(tcbComponents("Milan")).toEqual(["bl", "tee", "snp", "ucode"]);
    expect(tcbComponents("Genoa")).toEqual(["bl", "tee", "snp", "ucode"]);
    expect(tcbComponents("Turin")).toEqual(["fmc", "bl", "tee", "snp", "ucode"]);
  });
});

describe("tcbShortfall", () => {
  const milan = decodeTcb(0x4405000000000002n, "Milan"); // bl 2 tee 0 snp 5 ucode 68

  it("is empty when every component meets the minimum, or no minimum is given", () => {
    expect(tcbShortfall(milan, {}, "Milan")).toEqual([]);
    expect(tcbShortfall(milan, { bl: 2, tee: 0, snp: 5, ucode: 68 }, "Milan")).toEqual([]);
    expect(tcbShortfall(milan, { bl: 1, snp: 4 }, "Milan")).toEqual([]);
  });

  it("compares component-wise: a higher ucode does not make up for a lower snp", () => {
    const high = decodeTcb(milanTcb(2, 0, 5, 200), "Milan");
    const min = { bl: 2, tee: 0, snp: 8, ucode: 68 };
    // As one integer the TCB is larger than the minimum's encoding...
    expect(high.raw > milanTcb(2, 0, 8, 68)).toBe(true);
    // ...but the snp level is short.
    expect(tcbShortfall(high, min, "Milan")).toEqual(["snp"]);
  });

  it("and a higher snp does not make up for a lower bl (the integer order is misleading the other way too)", () => {
    const t = decodeTcb(milanTcb(1, 0, 9, 68), "Milan");
    expect(t.raw > milanTcb(3, 0, 8, 68)).toBe(true);
    expect(tcbShortfall(t, { bl: 3, snp: 8 }, "Milan")).toEqual(["bl"]);
  });

  it("reports every short component, in layout order", () => {
    expect(tcbShortfall(milan, { bl: 3, tee: 1, snp: 6, ucode: 69 }, "Milan")).toEqual(["bl", "tee", "snp", "ucode"]);
    expect(tcbShortfall(milan, { ucode: 69, bl: 3 }, "Milan")).toEqual(["bl", "ucode"]);
  });

  it("checks fmc on Turin and ignores an fmc minimum for Milan/Genoa", () => {
    const turin = decodeTcb(0x4800000003000201n, "Turin"); // fmc 1 bl 2 tee 0 snp 3 ucode 72
    expect(tcbShortfall(turin, { fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 }, "Turin")).toEqual([]);
    expect(tcbShortfall(turin, { fmc: 2 }, "Turin")).toEqual(["fmc"]);
    expect(tcbShortfall(turin, { fmc: 2, snp: 4, ucode: 1 }, "Turin")).toEqual(["fmc", "snp"]);
    expect(tcbShortfall(milan, { fmc: 5 }, "Milan")).toEqual([]);
  });

  it("applies to the fixtures: the trustee Milan VCEK report's reported TCB is below its current TCB only in ucode", () => {
    const m = MANIFEST.find((x) => x.set === "trustee_milan_vcek")!;
    const reported = decodeTcb(BigInt(m.reported_tcb.raw), "Milan");
    const current = decodeTcb(BigInt(m.current_tcb.raw), "Milan");
    expect(tcbShortfall(reported, current, "Milan")).toEqual(["ucode"]);
    expect(tcbShortfall(current, reported, "Milan")).toEqual([]);
  });
});

describe("formatTcb", () => {
  it("names the components and the raw value", () => {
    expect(formatTcb(decodeTcb(0x4405000000000002n, "Milan"))).toBe("bl 2, tee 0, snp 5, ucode 68 (0x4405000000000002)");
    expect(formatTcb(decodeTcb(0x4800000003000201n, "Turin"))).toBe("fmc 1, bl 2, tee 0, snp 3, ucode 72 (0x4800000003000201)");
    expect(formatTcb(decodeTcb(0x3n, "Genoa"))).toBe("bl 3, tee 0, snp 0, ucode 0 (0x0000000000000003)");
  });
});
