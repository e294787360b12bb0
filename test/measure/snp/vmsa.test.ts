import { describe, expect, it } from "vitest";
import { sha384 } from "../../../src/util/digest.js";
import { toHex } from "../../../src/util/bytes.js";
import { vmsaPage } from "../../../src/measure/snp/vmsa.js";
import { svsmVmsaPage } from "../../../src/measure/snp/svsm.js";
import { BSP_RESET_EIP, VMM_PROFILES } from "../../../src/measure/vmm.js";

// SHA-384 prefixes of example VMSA pages, guest features 0x1: launch-digest spec §4.3.
describe("VMSA pages", () => {
  const page = (vmm: "QEMU" | "ec2" | "gce", eip: number) => vmsaPage(VMM_PROFILES[vmm].resetVmsa(eip, 0x800f12, 1n, {}));
  it("QEMU BSP (EPYC-v4)", () => expect(toHex(sha384(page("QEMU", BSP_RESET_EIP)))).toMatch(/^77920c4c629ff47e/));
  it("QEMU AP at 0x80b004", () => expect(toHex(sha384(page("QEMU", 0x80b004)))).toMatch(/^8413b852790765a3/));
  it("EC2 BSP", () => expect(toHex(sha384(page("ec2", BSP_RESET_EIP)))).toMatch(/^d08442e8bcdb6a5d/));
  it("GCE BSP", () => expect(toHex(sha384(page("gce", BSP_RESET_EIP)))).toMatch(/^f9e03177dad7f481/));

  it("lays out the fields at the offsets of struct sev_es_save_area", () => {
    const p = page("QEMU", 0x80b004);
    const dv = new DataView(p.buffer);
    expect(dv.getUint16(0x10, true)).toBe(0xf000); // cs.selector
    expect(dv.getUint16(0x12, true)).toBe(0x9b); // cs.attrib
    expect(dv.getBigUint64(0x18, true)).toBe(0x800000n); // cs.base
    expect(dv.getBigUint64(0x178, true)).toBe(0xb004n); // rip
    expect(dv.getBigUint64(0x310, true)).toBe(0x800f12n); // rdx
    expect(dv.getBigUint64(0x3b0, true)).toBe(1n); // sev_features
    expect(dv.getUint32(0x408, true)).toBe(0x1f80); // mxcsr
    expect(dv.getUint16(0x410, true)).toBe(0x37f); // x87 fcw
  });
  it("EC2's legacy convention only changes RDX", () => {
    const current = vmsaPage(VMM_PROFILES.ec2.resetVmsa(BSP_RESET_EIP, 0, 1n, {}));
    const legacy = vmsaPage(VMM_PROFILES.ec2.resetVmsa(BSP_RESET_EIP, 0, 1n, { ec2LegacyRdx: true }));
    const differing = [...current.keys()].filter((i) => current[i] !== legacy[i]);
    expect(differing).toEqual([0x311]); // 0x600 vs 0 in RDX's second byte
  });
  it("the SVSM VMSA keeps x87 FCW at 0 (sev-snp-measure's keyword typo, spec §7)", () => {
    const p = svsmVmsaPage(0xffaea000, 0x800f12);
    const dv = new DataView(p.buffer);
    expect(dv.getUint16(0x410, true)).toBe(0);
    expect(dv.getBigUint64(0x178, true)).toBe(0xffaea000n);
    expect(dv.getBigUint64(0x158, true)).toBe(0x11n);
  });
});
