import { describe, expect, it } from "vitest";
import { MeasureError } from "../../../src/measure/errors.js";
import { measureKernel } from "../../../src/measure/kernel/kernel.js";
import { parseUki, stubCommandLine } from "../../../src/measure/kernel/uki.js";
import { toHex } from "../../../src/util/bytes.js";
import { fixturePath, readFixture } from "../../helpers/fixtures.js";
import { prng } from "../../helpers/random.js";
import { sha256sum, sha256sumOf } from "../../helpers/sha.js";

// scripts/fixtures.ts builds this UKI with objcopy from Debian's systemd-stub (systemd-boot-efi
// 252.39), the Debian kernel, initrd.img and the command line "console=ttyS0 root=/dev/vda1 ro quiet\n".
const ukiFile = readFixture("kernel/uki-6.1.0-56-cloud-amd64.efi");
const vmlinuz = readFixture("kernel/vmlinuz-6.1.0-56-cloud-amd64");

describe("unified kernel image", () => {
  const uki = parseUki(ukiFile)!;

  it("extracts exactly the files objcopy put in", () => {
    expect(sha256sumOf(uki.linux)).toBe(sha256sum(fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64")));
    expect(sha256sumOf(uki.initrd!)).toBe(sha256sum(fixturePath("kernel/initrd.img")));
    expect(new TextDecoder().decode(uki.cmdlineSection)).toBe("console=ttyS0 root=/dev/vda1 ro quiet\n");
  });

  it("passes the command line systemd-stub would: trailing newline stripped", () => {
    expect(uki.cmdline).toBe("console=ttyS0 root=/dev/vda1 ro quiet");
  });

  it("gives the same component digests as the separate bzImage", () => {
    const fromUki = measureKernel(ukiFile, { setupDataModifications: true, algorithms: ["sha256"] });
    const fromBz = measureKernel(vmlinuz, { setupDataModifications: true, algorithms: ["sha256"] });
    expect(fromUki.format).toBe("uki");
    expect(toHex(fromUki.kernelImage.sha256!)).toBe(toHex(fromBz.kernelImage.sha256!));
    expect(toHex(fromUki.setupData.sha256!)).toBe(toHex(fromBz.setupData.sha256!));
    expect(toHex(fromUki.bzImage.sha256)).toBe(toHex(fromBz.bzImage.sha256));
  });

  it("an EFI-stub bzImage is a PE image but not a UKI", () => {
    expect(vmlinuz[0]).toBe(0x4d); // "MZ"
    expect(parseUki(vmlinuz)).toBeUndefined();
  });

  it("a truncated UKI is rejected, not taken for a bzImage", () => {
    const truncated = ukiFile.subarray(0, ukiFile.length >> 1); // cuts the .linux section
    expect(() => measureKernel(truncated, { setupDataModifications: true, algorithms: ["sha256"] })).toThrow(
      expect.objectContaining({ code: "PE_FORMAT" }) as MeasureError,
    );
  });

  describe("PE header tampering", () => {
    const view = () => Buffer.from(ukiFile);
    const peOffset = Buffer.from(ukiFile).readUInt32LE(0x3c);
    const sectionTable = peOffset + 24 + Buffer.from(ukiFile).readUInt16LE(peOffset + 20);
    const sectionHeader = (name: string) => {
      const b = Buffer.from(ukiFile);
      for (let off = sectionTable; off < sectionTable + 40 * b.readUInt16LE(peOffset + 6); off += 40) {
        if (b.subarray(off, off + 8).toString("latin1").replace(/\0+$/, "") === name) return off;
      }
      throw new Error(`no ${name}`);
    };
    it("a .linux section of virtual size 0 maps nothing: refused", () => {
      const b = view();
      b.writeUInt32LE(0, sectionHeader(".linux") + 8);
      expect(() => parseUki(b)).toThrow(expect.objectContaining({ code: "PE_FORMAT" }) as MeasureError);
    });
    it("a .linux section claiming more than its raw data: refused", () => {
      const b = view();
      const h = sectionHeader(".linux");
      b.writeUInt32LE(b.readUInt32LE(h + 16) + 4096, h + 8);
      expect(() => parseUki(b)).toThrow(expect.objectContaining({ code: "PE_FORMAT" }) as MeasureError);
    });
    it("more sections than the PE format allows: not a UKI, and not a bzImage either", () => {
      const b = view();
      b.writeUInt16LE(97, peOffset + 6);
      expect(parseUki(b)).toBeUndefined();
      expect(() => measureKernel(b, { setupDataModifications: true, algorithms: ["sha256"] })).toThrow(MeasureError);
    });
  });

  it("random mutations of the PE headers yield a result or a typed error", () => {
    const next = prng(5);
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(ukiFile.subarray(0, 0x600));
      for (let f = 0; f < 3; f++) b[Math.floor(next() * 0x600)] = Math.floor(next() * 256);
      try {
        parseUki(b);
      } catch (err) {
        expect(err).toBeInstanceOf(MeasureError);
      }
    }
  });
});

describe("systemd-stub command-line mangling", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("strips leading and trailing whitespace, turns control characters into spaces", () => {
    expect(stubCommandLine(enc("  a=1\tb=2\r\n"))).toBe("a=1 b=2");
    expect(stubCommandLine(enc("a\x7fb"))).toBe("a b");
  });
  it("stops at the first NUL", () => expect(stubCommandLine(enc("quiet\0garbage"))).toBe("quiet"));
  it("rejects text that is not UTF-8", () => expect(() => stubCommandLine(Uint8Array.from([0x61, 0xff]))).toThrow(MeasureError));
});
