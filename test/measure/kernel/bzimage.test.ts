import { describe, expect, it } from "vitest";
import { MeasureError } from "../../../src/measure/errors.js";
import { parseBzImage } from "../../../src/measure/kernel/bzimage.js";
import { measureKernel } from "../../../src/measure/kernel/kernel.js";
import { toHex } from "../../../src/util/bytes.js";
import { fixturePath, readFixture } from "../../helpers/fixtures.js";
import { prng, randomBytes } from "../../helpers/random.js";
import { sha256sum, sha256sumOf, opensslDigest } from "../../helpers/sha.js";
import { expectMeasureError } from "../../helpers/expect.js";

const vmlinuz = readFixture("kernel/vmlinuz-6.1.0-56-cloud-amd64");

/**
 * The expected setup data, built here from the Linux boot protocol and Oak's oak_kernel_measurement
 * independently of src/: QEMU's loader edits at 0x210/0x211/0x224/0x228, then the ramdisk fields zeroed.
 */
function expectedSetupData(file: Uint8Array, withEdits: boolean): Buffer {
  const sects = file[0x1f1] === 0 ? 4 : file[0x1f1]!;
  const setup = Buffer.from(file.subarray(0, 512 * (sects + 1)));
  if (withEdits) {
    setup[0x210] = 0xb0;
    setup[0x211] = setup[0x211]! | 0x80;
    setup.writeUInt32LE(0x20000, 0x228);
    setup.writeUInt16LE(0xfe00, 0x224);
  }
  setup.writeUInt32LE(0, 0x218);
  setup.writeUInt32LE(0, 0x21c);
  return setup;
}

describe("bzImage (Debian linux-image-6.1.0-56-cloud-amd64)", () => {
  const kernel = measureKernel(vmlinuz, { setupDataModifications: true, algorithms: ["sha256", "sha384"] });

  it("reads the setup header", () => {
    expect(kernel.format).toBe("bzImage");
    expect(kernel.setupSects).toBe(vmlinuz[0x1f1]);
    expect(kernel.bootProtocol).toBe(Buffer.from(vmlinuz).readUInt16LE(0x206));
    expect(kernel.bootProtocol).toBe(0x020f);
  });

  it("the bzImage digest is the file's (sha256sum, as the kernel-hashes oracle rows list it)", () => {
    expect(toHex(kernel.bzImage.sha256)).toBe(sha256sum(fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64")));
    expect(toHex(kernel.bzImage.sha256)).toBe("51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275");
  });

  it("the kernel image digest covers the bytes after the setup part", () => {
    const setupSize = 512 * (vmlinuz[0x1f1]! + 1);
    expect(toHex(kernel.kernelImage.sha256!)).toBe(sha256sumOf(vmlinuz.subarray(setupSize)));
  });

  it("the setup data digest applies QEMU's loader edits, then zeroes the ramdisk fields", () => {
    expect(toHex(kernel.setupData.sha256!)).toBe(sha256sumOf(expectedSetupData(vmlinuz, true)));
    const plain = measureKernel(vmlinuz, { setupDataModifications: false, algorithms: ["sha256"] });
    expect(toHex(plain.setupData.sha256!)).toBe(sha256sumOf(expectedSetupData(vmlinuz, false)));
    expect(plain.setupData.sha256).not.toEqual(kernel.setupData.sha256);
    expect(plain.kernelImage.sha256).toEqual(kernel.kernelImage.sha256);
  });

  it("SHA-384 on request, checked with openssl", () => {
    expect(toHex(kernel.bzImage.sha384!)).toBe(opensslDigest("sha384", fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64")));
    expect(kernel.kernelImage.sha384).toHaveLength(48);
    expect(kernel.setupData.sha384).toHaveLength(48);
  });
});


describe("bzImage tamper and truncation", () => {
  const patched = (off: number, bytes: number[]) => {
    const b = Uint8Array.from(vmlinuz.subarray(0, 64 * 1024));
    b.set(bytes, off);
    return b;
  };
  it("too small for the setup header", () => expectMeasureError(() => parseBzImage(vmlinuz.subarray(0, 0x200)), "KERNEL_TOO_SMALL"));
  it("no boot flag", () => expectMeasureError(() => parseBzImage(patched(0x1fe, [0, 0])), "KERNEL_BOOT_FLAG"));
  it("no HdrS magic", () => expectMeasureError(() => parseBzImage(patched(0x202, [0x48, 0x64, 0x72, 0x54])), "KERNEL_HEADER"));
  it("a boot protocol older than 2.02", () => expectMeasureError(() => parseBzImage(patched(0x206, [0x01, 0x02])), "KERNEL_BOOT_PROTOCOL"));
  it("truncated inside the setup part", () => expectMeasureError(() => parseBzImage(vmlinuz.subarray(0, 512 * 20)), "KERNEL_SETUP_SIZE"));
  it("setup_sects 0 means 4", () => {
    const b = patched(0x1f1, [0]);
    expect(parseBzImage(b).setupSects).toBe(4);
    expect(parseBzImage(b).image.byteLength).toBe(b.byteLength - 512 * 5);
  });
  it("every truncation and random mutation yields a result or a typed error", () => {
    const head = vmlinuz.subarray(0, 24 * 1024);
    for (let n = 0; n <= head.length; n += 97) {
      try {
        measureKernel(head.subarray(0, n), { setupDataModifications: true, algorithms: ["sha256"] });
      } catch (err) {
        expect(err).toBeInstanceOf(MeasureError);
      }
    }
    const next = prng(11);
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(head);
      for (let f = 0; f < 4; f++) b[Math.floor(next() * 0x300)] = Math.floor(next() * 256);
      const random = i % 10 === 0 ? randomBytes(next, 4096) : b;
      try {
        measureKernel(random, { setupDataModifications: true, algorithms: ["sha256"] });
      } catch (err) {
        expect(err).toBeInstanceOf(MeasureError);
      }
    }
  });
});
