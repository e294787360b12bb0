import { describe, expect, it } from "vitest";
import { parseFirmware, FOUR_GIB } from "../../../src/measure/firmware/ovmf.js";
import { parseFooterTable } from "../../../src/measure/firmware/footer-table.js";
import { readFixture } from "../../helpers/fixtures.js";
import { writeU16, writeU32 } from "../../../src/util/bytes.js";
import { expectMeasureError } from "../../helpers/expect.js";

// Expected values: the "Metadata each firmware file carries" table of ../shared/fixtures/README.md.
const sections = (list: [number, number, number][]) => list.map(([gpa, size, type]) => ({ gpa, size, type }));

describe("parseFirmware on real images", () => {
  it("Debian OVMF.fd: reset EIP, no hashes table, five metadata sections", () => {
    const fw = parseFirmware(readFixture("firmware/OVMF.fd"));
    expect(fw.gpa).toBe(0xffe00000);
    expect(fw.sevEsResetEip).toBe(0x80b004);
    expect(fw.sevHashTable).toEqual({ gpa: 0, size: 0 });
    expect(fw.sevMetadata).toEqual(
      sections([[0x800000, 0x9000, 1], [0x80a000, 0x3000, 1], [0x80d000, 0x1000, 2], [0x80e000, 0x1000, 3], [0x80f000, 0x11000, 1]]),
    );
    expect(fw.footerEntries.has("e47a6535-984a-4798-865e-4685a7bf8ec2")).toBe(true); // TDX metadata offset
  });
  it("Debian OVMF_CODE_4M.fd: a reset block but no SEV metadata at all", () => {
    const fw = parseFirmware(readFixture("firmware/OVMF_CODE_4M.fd"));
    expect(fw.gpa).toBe(0xffc84000);
    expect(fw.sevEsResetEip).toBe(0x808004);
    expect(fw.sevMetadata).toBeUndefined();
  });
  it("Debian OVMF_VARS.fd: a variable store has no footer table", () => {
    const fw = parseFirmware(readFixture("firmware/OVMF_VARS.fd"));
    expect(fw.footerEntries.size).toBe(0);
    expect(fw.sevEsResetEip).toBeUndefined();
  });
  it("AmdSev suffix: kernel-hashes table and seven sections", () => {
    const fw = parseFirmware(readFixture("firmware/ovmf_AmdSev_suffix.bin"));
    expect(fw.gpa).toBe(0xfffff000);
    expect(fw.sevHashTable).toEqual({ gpa: 0x810c00, size: 0x400 });
    expect(fw.sevMetadata).toEqual(
      sections([
        [0x800000, 0x9000, 1], [0x80a000, 0x3000, 1], [0x80d000, 0x1000, 2], [0x80e000, 0x1000, 3],
        [0x80f000, 0x1000, 4], [0x810000, 0x1000, 0x10], [0x811000, 0xf000, 1],
      ]),
    );
  });
  it("COCONUT SVSM image placed below a 4 MiB OVMF and its vars", () => {
    const fw = parseFirmware(readFixture("firmware/svsm.bin"), FOUR_GIB - 0x37c000 - 540672);
    expect(fw.gpa).toBe(0xffaea000);
    expect(fw.svsmInfoOffset).toBe(0);
    expect(fw.sevEsResetEip).toBe(0xfffffff0);
    expect(fw.sevMetadata).toEqual(sections([[0x0, 0x9e000, 1], [0x9e000, 0x1000, 2], [0x9f000, 0x1000, 3]]));
  });
});

/** Builds a one-page image with a footer table made of the given `payload ‖ u16 size ‖ GUID` entries. */
function imageWithTable(entries: { guid: Uint8Array; payload: Uint8Array; size?: number }[]): Uint8Array {
  const image = new Uint8Array(4096);
  const footerGuid = Uint8Array.from([0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d]);
  let end = 4096 - 32 - 18;
  const tableEnd = end;
  for (const e of entries) {
    const size = e.size ?? e.payload.length + 18;
    image.set(e.guid, end - 16);
    writeU16(image, end - 18, size);
    image.set(e.payload, end - 18 - e.payload.length);
    end -= e.payload.length + 18;
  }
  image.set(footerGuid, tableEnd + 2);
  writeU16(image, tableEnd, tableEnd - end + 18);
  return image;
}
const resetBlockGuid = Uint8Array.from([0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e]);
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  writeU32(b, 0, v);
  return b;
};


describe("footer table tamper cases", () => {
  it("reads an entry written independently of the parser", () => {
    const image = imageWithTable([{ guid: resetBlockGuid, payload: u32(0x80b004) }]);
    expect(parseFirmware(image).sevEsResetEip).toBe(0x80b004);
  });
  it("rejects an entry size below the entry header", () => {
    expectMeasureError(() => parseFooterTable(imageWithTable([{ guid: resetBlockGuid, payload: u32(1), size: 17 }])), "FOOTER_ENTRY_SIZE");
  });
  it("rejects an entry size beyond the table", () => {
    expectMeasureError(() => parseFooterTable(imageWithTable([{ guid: resetBlockGuid, payload: u32(1), size: 400 }])), "FOOTER_ENTRY_SIZE");
  });
  it("rejects a GUID listed twice", () => {
    const e = { guid: resetBlockGuid, payload: u32(1) };
    expectMeasureError(() => parseFooterTable(imageWithTable([e, e])), "FOOTER_ENTRY_DUPLICATE");
  });
  it("rejects a reset block too short to hold its address", () => {
    expectMeasureError(() => parseFirmware(imageWithTable([{ guid: resetBlockGuid, payload: new Uint8Array(2) }])), "FOOTER_ENTRY_PAYLOAD");
  });
  it("rejects a table larger than the image", () => {
    const image = imageWithTable([]);
    writeU16(image, 4096 - 50, 0xffff);
    expectMeasureError(() => parseFooterTable(image), "FOOTER_TABLE_SIZE");
  });
  it("rejects images too small to hold a footer, and sizes that are not whole pages", () => {
    expectMeasureError(() => parseFirmware(new Uint8Array(49)), "FIRMWARE_TOO_SMALL");
    expectMeasureError(() => parseFirmware(new Uint8Array(4097)), "FIRMWARE_NOT_PAGE_ALIGNED");
  });
});

describe("SEV metadata tamper cases", () => {
  const original = readFixture("firmware/ovmf_AmdSev_suffix.bin");
  const asev = 4096 - 0x554; // metadata offset 0x554 from the end (fixtures README)
  const tampered = (patch: (b: Uint8Array) => void) => {
    const b = Uint8Array.from(original);
    patch(b);
    return b;
  };
  it("the untampered header sits where the fixture manifest says", () => {
    expect(new TextDecoder().decode(original.subarray(asev, asev + 4))).toBe("ASEV");
  });
  it("wrong signature", () => expectMeasureError(() => parseFirmware(tampered((b) => (b[asev] = 0x42))), "SEV_METADATA_SIGNATURE"));
  it("unknown version", () => expectMeasureError(() => parseFirmware(tampered((b) => writeU32(b, asev + 8, 2))), "SEV_METADATA_VERSION"));
  it("more sections than the header size holds", () => expectMeasureError(() => parseFirmware(tampered((b) => writeU32(b, asev + 12, 8))), "SEV_METADATA_SIZE"));
  it("header size beyond the image", () => expectMeasureError(() => parseFirmware(tampered((b) => writeU32(b, asev + 4, 0x10000))), "SEV_METADATA_SIZE"));
});
