import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRODUCTS, productFromCpuid, productFromName, type Product } from "../../../../src/verify/snp/abi/product.js";
import { parseReport } from "../../../../src/verify/snp/abi/report.js";
import { SnpError } from "../../../../src/verify/snp/errors.js";
import { COMMITTED } from "../../../helpers/fixtures.js";

/** Expected values: the model ranges of the spec §2.1 (virtee identify_cpu), MANIFEST.json. */

const REPORTS = join(COMMITTED, "snp-reports");
interface ManifestEntry {
  readonly set: string;
  readonly product: string;
  readonly version: number;
  readonly cpuid_fms: { family: string; model: string; stepping: number } | null;
  readonly vek_product_name: string;
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];
const productOf = (m: ManifestEntry) => m.product.split(/[\s(]/)[0] as Product;

/** §2.1, written out independently: family 0x19 models 0x00-0x0F Milan; 0x10-0x1F, 0xA0-0xAF Genoa; 0x1A 0x00-0x11 Turin. */
function specProduct(family: number, model: number): Product | undefined {
  if (family === 0x19 && model >= 0x00 && model <= 0x0f) return "Milan";
  if (family === 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))) return "Genoa";
  if (family === 0x1a && model >= 0x00 && model <= 0x11) return "Turin";
  return undefined;
}

function productOrCode(family: number, model: number, stepping = 0): Product | string {
  try {
    return productFromCpuid({ family, model, stepping });
  } catch (err) {
    expect(err).toBeInstanceOf(SnpError);
    return (err as SnpError).code;
  }
}

describe("productFromCpuid", () => {
  it("knows exactly Milan, Genoa and Turin", () => {
    expect([...PRODUCTS]).toEqual(["Milan", "Genoa", "Turin"]);
  });

  it("maps go-sev-guest's exact models: 19/01 Milan, 19/11 Genoa, 1A/02 Turin", () => {
    expect(productFromCpuid({ family: 0x19, model: 0x01, stepping: 1 })).toBe("Milan");
    expect(productFromCpuid({ family: 0x19, model: 0x11, stepping: 1 })).toBe("Genoa");
    expect(productFromCpuid({ family: 0x1a, model: 0x02, stepping: 1 })).toBe("Turin");
  });

  it("maps Genoa model 0xA0 (the Trustee e2e report) by range", () => {
    expect(productFromCpuid({ family: 0x19, model: 0xa0, stepping: 2 })).toBe("Genoa");
    expect(productFromCpuid({ family: 0x19, model: 0xaf, stepping: 0 })).toBe("Genoa");
  });

  it("range edges: Milan 0x00..0x0F, Genoa 0x10..0x1F and 0xA0..0xAF, Turin 0x00..0x11", () => {
    expect(productOrCode(0x19, 0x0f)).toBe("Milan");
    expect(productOrCode(0x19, 0x10)).toBe("Genoa");
    expect(productOrCode(0x19, 0x1f)).toBe("Genoa");
    expect(productOrCode(0x19, 0x20)).toBe("PRODUCT");
    expect(productOrCode(0x19, 0x9f)).toBe("PRODUCT");
    expect(productOrCode(0x19, 0xb0)).toBe("PRODUCT");
    expect(productOrCode(0x1a, 0x00)).toBe("Turin");
    expect(productOrCode(0x1a, 0x11)).toBe("Turin");
    expect(productOrCode(0x1a, 0x12)).toBe("PRODUCT");
  });

  it("rejects Venice (family 0x1A models 0x50-0x57, 0x90-0x9F, 0xA0-0xAF, 0xC0-0xC7) with PRODUCT", () => {
    for (const [lo, hi] of [[0x50, 0x57], [0x90, 0x9f], [0xa0, 0xaf], [0xc0, 0xc7]] as const) {
      for (let model = lo; model <= hi; model++) {
        expect(() => productFromCpuid({ family: 0x1a, model, stepping: 0 })).toThrow(SnpError);
        expect(productOrCode(0x1a, model)).toBe("PRODUCT");
      }
    }
  });

  it("names the family and model in the refusal", () => {
    expect(() => productFromCpuid({ family: 0x1a, model: 0x50, stepping: 0 })).toThrow(/family 0x1a model 0x50/);
    expect(() => productFromCpuid({ family: 0x17, model: 0x31, stepping: 0 })).toThrow(/family 0x17 model 0x31/);
  });

  it("agrees with the spec's ranges for every family 0x00..0x20 and every model", () => {
    for (let family = 0; family <= 0x20; family++) {
      for (let model = 0; model <= 0xff; model++) {
        expect(productOrCode(family, model), `family 0x${family.toString(16)} model 0x${model.toString(16)}`).toBe(specProduct(family, model) ?? "PRODUCT");
      }
    }
  });

  it("does not depend on the stepping", () => {
    for (let stepping = 0; stepping < 256; stepping += 17) {
      expect(productFromCpuid({ family: 0x19, model: 0x01, stepping })).toBe("Milan");
      expect(productFromCpuid({ family: 0x1a, model: 0x02, stepping })).toBe("Turin");
    }
  });

  for (const m of MANIFEST.filter((x) => x.cpuid_fms !== null)) {
    it(`${m.set}: the report's CPUID names the manifest's product (${productOf(m)})`, () => {
      const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, m.set, "report.bin"))));
      expect(r.cpuid).toEqual({ family: Number(m.cpuid_fms!.family), model: Number(m.cpuid_fms!.model), stepping: m.cpuid_fms!.stepping });
      expect(productFromCpuid(r.cpuid!)).toBe(productOf(m));
    });
  }

  it("has a v3+ fixture for each product, and v2 fixtures have no CPUID", () => {
    const withCpuid = MANIFEST.filter((x) => x.cpuid_fms !== null);
    expect(new Set(withCpuid.map(productOf))).toEqual(new Set(["Milan", "Genoa", "Turin"]));
    for (const m of MANIFEST) expect(m.cpuid_fms === null).toBe(m.version === 2);
  });
});

describe("productFromName", () => {
  it("maps the productName values AMD uses", () => {
    expect(productFromName("Milan-B0")).toBe("Milan");
    expect(productFromName("Milan")).toBe("Milan");
    expect(productFromName("Genoa")).toBe("Genoa");
    expect(productFromName("Genoa-B1")).toBe("Genoa");
    expect(productFromName("Turin")).toBe("Turin");
  });

  it("returns undefined for Venice and other names", () => {
    expect(productFromName("Venice")).toBeUndefined();
    expect(productFromName("Venice-A0")).toBeUndefined();
    expect(productFromName("")).toBeUndefined();
    expect(productFromName("Rome")).toBeUndefined();
    expect(productFromName("B0-Milan")).toBeUndefined();
    expect(productFromName("MilanX")).toBeUndefined();
  });

  it("refuses a suffix other than one stepping (letter, digit) and any control character", () => {
    for (const name of ["Milan-", "Milan-B0\u0000", "Milan-anything", "Milan-B0-extra", "Milan-b0", "Milan-B00", "Milan B0", "milan", "Genoa\n", "Turin-\u202e0B"]) {
      expect(productFromName(name), JSON.stringify(name)).toBeUndefined();
    }
  });

  for (const m of MANIFEST) {
    it(`${m.set}: the VEK productName "${m.vek_product_name}" names the manifest's product`, () => {
      expect(productFromName(m.vek_product_name)).toBe(productOf(m));
    });
  }
});
