import { describe, expect, it } from "vitest";
import { MeasureError } from "../../../src/measure/errors.js";
import { parseFirmware } from "../../../src/measure/firmware/ovmf.js";
import { checkLaunch, measureLaunch, type LaunchInputs, type LaunchMode } from "../../../src/measure/launch.js";
import { EMPTY_SHA256 } from "../../../src/measure/sev-hashes.js";
import { readFixture } from "../../helpers/fixtures.js";
import { prng, randomBytes } from "../../helpers/random.js";

/**
 * Firmware is untrusted input: whatever the bytes, parsing and measuring must return a result or
 * throw a MeasureError, and finish. Anything else (RangeError, TypeError, a hang) fails the test.
 */
function parseAndMeasure(bytes: Uint8Array): "ok" | string {
  try {
    const firmware = parseFirmware(bytes);
    // Valid but huge sections (up to 4 GiB of ZERO pages) take seconds to chain; they are checked,
    // not chained, so the fuzz loop stays quick.
    const declared = (firmware.sevMetadata ?? []).reduce((n, s) => n + s.size, 0);
    const chain = declared <= 64 << 20;
    const kernelHashes = { kernel: EMPTY_SHA256, initrd: EMPTY_SHA256, cmdline: EMPTY_SHA256 };
    for (const mode of ["snp", "seves", "sev"] as LaunchMode[]) {
      for (const withKernel of [false, true]) {
        try {
          const inputs: LaunchInputs = {
            mode,
            firmware,
            kernelHashes: withKernel ? kernelHashes : undefined,
            configurations: [{ vmm: "QEMU", vcpuSignature: 0x800f12, guestFeatures: 1n }, { vmm: "ec2", vcpuSignature: undefined, guestFeatures: 1n }],
            vcpuCounts: [1, 2],
            conventions: {},
          };
          if (chain) measureLaunch(inputs);
          else checkLaunch(inputs, withKernel);
        } catch (err) {
          if (!(err instanceof MeasureError)) throw err;
        }
      }
    }
    return "ok";
  } catch (err) {
    if (err instanceof MeasureError) return err.code;
    throw err;
  }
}

const suffix = readFixture("firmware/ovmf_AmdSev_suffix.bin");

describe("firmware parser fuzzing", () => {
  it("every truncation of a real image (from either end) yields a result or a typed error", () => {
    for (let n = 0; n <= suffix.length; n++) {
      parseAndMeasure(suffix.subarray(0, n));
      parseAndMeasure(suffix.subarray(suffix.length - n));
    }
  });

  it("truncating the real image yields the expected typed errors", () => {
    expect(parseAndMeasure(new Uint8Array(0))).toBe("FIRMWARE_TOO_SMALL");
    expect(parseAndMeasure(suffix.subarray(0, 4095))).toBe("FIRMWARE_NOT_PAGE_ALIGNED");
    expect(parseAndMeasure(suffix)).toBe("ok");
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`random byte mutations of the tables region (seed ${seed})`, () => {
      const next = prng(seed);
      const codes = new Set<string>();
      for (let i = 0; i < 1500; i++) {
        const mutated = Uint8Array.from(suffix);
        const flips = 1 + Math.floor(next() * 4);
        // The footer table, SEV metadata and reset vector all live in the last 0x600 bytes.
        for (let f = 0; f < flips; f++) mutated[suffix.length - 1 - Math.floor(next() * 0x600)] = Math.floor(next() * 256);
        codes.add(parseAndMeasure(mutated));
      }
      expect(codes.has("ok")).toBe(true);
      expect(codes.size).toBeGreaterThan(1);
    });
  }

  it("random images with a planted footer GUID and random table sizes", () => {
    const next = prng(42);
    const footerGuid = Uint8Array.from([0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d]);
    for (let i = 0; i < 2000; i++) {
      const pages = 1 + Math.floor(next() * 2);
      const image = randomBytes(next, pages * 4096);
      image.set(footerGuid, image.length - 32 - 16);
      parseAndMeasure(image);
    }
  });

  it("random sizes of random bytes", () => {
    const next = prng(7);
    for (let i = 0; i < 500; i++) parseAndMeasure(randomBytes(next, Math.floor(next() * 10000)));
  });
});
