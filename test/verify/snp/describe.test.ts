import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Product } from "../../../src/verify/snp/abi/product.js";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { describeReport, ownProduct, reportText } from "../../../src/verify/snp/describe.js";
import { COMMITTED } from "../../helpers/fixtures.js";

/** Expected values: each set's verify.json `report` section and MANIFEST.json. */

const REPORTS = join(COMMITTED, "snp-reports");
interface Tcb {
  raw: string;
  fmc?: number;
  bl: number;
  tee: number;
  snp: number;
  ucode: number;
}
interface ManifestEntry {
  readonly set: string;
  readonly product: string;
  readonly version: number;
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];
const productOf = (m: ManifestEntry) => m.product.split(/[\s(]/)[0] as Product;
const SIGNING_KEY = ["VCEK", "VLEK", "", "", "", "", "", "none"];

const tcbOf = (d: unknown) => {
  const { raw, ...rest } = d as Tcb;
  return { raw: BigInt(raw), ...rest };
};

describe("describeReport on every fixture", () => {
  for (const m of MANIFEST) {
    it(`${m.set}: agrees with verify.json`, () => {
      const j = (JSON.parse(readFileSync(join(REPORTS, m.set, "verify.json"), "utf8")) as { report: Record<string, unknown> }).report as Record<string, any>;
      const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, m.set, "report.bin"))));
      // v2 reports name no product themselves: the caller's hint (from the VEK) is used.
      expect(ownProduct(r)).toBe(m.version >= 3 ? productOf(m) : undefined);
      const d = describeReport(r, m.version >= 3 ? undefined : productOf(m)) as Record<string, any>;
      expect(d.version).toBe(j.version);
      expect(d.product).toBe(productOf(m));
      expect(d.guestSvn).toBe(j.guest_svn);
      expect(BigInt(d.policy.raw)).toBe(BigInt(j.policy));
      expect(d.policy.raw).toMatch(/^0x[0-9a-f]{16}$/);
      expect(d.policy.abi).toBe(j.policy_bits.abi);
      expect(d.policy.smt).toBe(j.policy_bits.smt);
      expect(d.policy.debug).toBe(j.policy_bits.debug);
      expect(d.policy.migrateMa).toBe(j.policy_bits.migrate_ma);
      expect(d.policy.singleSocket).toBe(j.policy_bits.single_socket);
      expect(d.familyId).toBe(j.family_id);
      expect(d.imageId).toBe(j.image_id);
      expect(d.vmpl).toBe(j.vmpl);
      expect(d.signatureAlgo).toBe(j.sig_algo);
      for (const f of [["currentTcb", "current_tcb"], ["reportedTcb", "reported_tcb"], ["committedTcb", "committed_tcb"], ["launchTcb", "launch_tcb"]]) {
        expect(tcbOf(d[f[0]!]), f[0]).toEqual(tcbOf(j[f[1]!]));
      }
      expect(BigInt(d.platformInfo.raw)).toBe(BigInt(j.platform_info));
      expect(d.signerInfo.signingKey).toBe(SIGNING_KEY[j.signer_info.signing_key]);
      expect(d.signerInfo.authorKeyEn).toBe(j.signer_info.author_key_en === 1);
      expect(d.signerInfo.maskChipKey).toBe(j.signer_info.mask_chip_key === 1);
      for (const [a, b] of [["reportData", "report_data"], ["measurement", "measurement"], ["hostData", "host_data"], ["idKeyDigest", "id_key_digest"], ["authorKeyDigest", "author_key_digest"], ["reportId", "report_id"], ["reportIdMa", "report_id_ma"], ["chipId", "chip_id"]]) {
        expect(d[a!], a).toBe(j[b!]);
      }
      expect(d.cpuid).toEqual(j.cpuid_fms);
      expect(d.currentVersion).toBe(j.current_version);
      expect(d.committedVersion).toBe(j.committed_version);
      for (const [a, b] of [["launchMitVector", "launch_mit_vector"], ["currentMitVector", "current_mit_vector"]]) {
        if (j[b!] === null) expect(d[a!]).toBeNull();
        else expect(BigInt(d[a!])).toBe(BigInt(j[b!]));
      }
      expect(d.signature.r).toMatch(/^[0-9a-f]{96}$/);
    });
  }

  it("the Turin report's TCBs carry fmc; PLATFORM_INFO 0x67 lists 'bit 6'", () => {
    const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, "oak_turin_oc/report.bin"))));
    const d = describeReport(r) as Record<string, any>;
    expect(d.product).toBe("Turin");
    expect(d.reportedTcb).toEqual({ raw: "0x4700000002000100", fmc: 0, bl: 1, tee: 0, snp: 2, ucode: 71 });
    expect(d.platformInfo.bits).toContain("bit 6");
  });

  it("a v2 report without a hint has no product and shows the Milan/Genoa layout", () => {
    const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, "gosevguest_milan/report.bin"))));
    const d = describeReport(r) as Record<string, any>;
    expect(d.product).toBeNull();
    expect(d.cpuid).toBeNull();
    expect(d.reportedTcb).toEqual({ raw: "0x4405000000000002", bl: 2, tee: 0, snp: 5, ucode: 68 });
  });
});

describe("reportText", () => {
  it("renders labels, scalars and byte fields as rows of 16 bytes", () => {
    const r = parseReport(new Uint8Array(readFileSync(join(REPORTS, "oak_genoa_oc/report.bin"))));
    const text = reportText(describeReport(r));
    expect(text.endsWith("\n")).toBe(true);
    expect(text).toMatch(/^Version:\s+5$/m);
    expect(text).toMatch(/^Product:\s+Genoa$/m);
    expect(text).toMatch(/^  Debug allowed:\s+false$/m);
    const measurement = "c57729018b0a6fb90dc17bb138b0aa35e4401004283ff4a2c24d3739ff3750f52384370e77b7032862a08c440a9bc4dc";
    const rows = measurement.match(/.{32}/g)!.map((row) => `  ${row.match(/../g)!.join(" ")}`);
    expect(text).toContain(["Measurement:", ...rows].join("\n"));
    expect(text).toMatch(/^  Bits set:\s+SMT_EN, ECC_EN, ALIAS_CHECK_COMPLETE$/m);
  });
});
