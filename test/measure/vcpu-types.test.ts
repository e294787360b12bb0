import { describe, expect, it } from "vitest";
import { VCPU_TYPES } from "../../src/schema/launch-vocabulary.js";
import { cpuSignature } from "../../src/measure/vcpu-types.js";

describe("vCPU signatures", () => {
  it("matches the checks in the launch-digest spec §4.4", () => {
    expect(cpuSignature({ family: 14, model: 1, stepping: 2 })).toBe(0x0e12);
    expect(cpuSignature({ family: 23, model: 1, stepping: 2 })).toBe(0x800f12);
    expect(cpuSignature({ family: 25, model: 1, stepping: 1 })).toBe(0xa00f11);
  });
  it("names every QEMU model sev-snp-measure accepts, with the spec's signatures", () => {
    const expected: Record<string, number> = {
      EPYC: 0x800f12, "EPYC-v1": 0x800f12, "EPYC-v2": 0x800f12, "EPYC-v3": 0x800f12, "EPYC-v4": 0x800f12, "EPYC-IBPB": 0x800f12,
      "EPYC-Rome": 0x830f10, "EPYC-Rome-v1": 0x830f10, "EPYC-Rome-v2": 0x830f10, "EPYC-Rome-v3": 0x830f10,
      "EPYC-Milan": 0xa00f11, "EPYC-Milan-v1": 0xa00f11, "EPYC-Milan-v2": 0xa00f11,
      "EPYC-Genoa": 0xa10f10, "EPYC-Genoa-v1": 0xa10f10, "EPYC-Turin": 0xb00f00,
    };
    expect(Object.fromEntries([...VCPU_TYPES].map(([name, fms]) => [name, cpuSignature(fms)]))).toEqual(expected);
  });
  it("Oak's convention drops the extended model outside families 6 and 15 (spec §10)", () => {
    expect(cpuSignature(VCPU_TYPES.get("EPYC")!, "oak")).toBe(0x800f12);
    expect(cpuSignature(VCPU_TYPES.get("EPYC-Milan")!, "oak")).toBe(0xa00f11);
    expect(cpuSignature(VCPU_TYPES.get("EPYC-Rome")!, "oak")).toBe(0x800f10);
    expect(cpuSignature(VCPU_TYPES.get("EPYC-Genoa")!, "oak")).toBe(0xa00f10);
    expect(cpuSignature({ family: 6, model: 0x55, stepping: 4 }, "oak")).toBe(cpuSignature({ family: 6, model: 0x55, stepping: 4 }));
  });
});
