import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseFirmware } from "../../src/measure/firmware/ovmf.js";
import { measureLaunch, type LaunchInputs } from "../../src/measure/launch.js";
import type { LaunchConfiguration } from "../../src/measure/config.js";
import { MeasureError } from "../../src/measure/errors.js";
import { EMPTY_SHA256, cmdlineHash } from "../../src/measure/sev-hashes.js";
import { VCPU_TYPES, VMM_TYPES } from "../../src/schema/launch-vocabulary.js";
import { cpuSignature } from "../../src/measure/vcpu-types.js";
import { VMM_PROFILES } from "../../src/measure/vmm.js";
import { vmsaPage } from "../../src/measure/snp/vmsa.js";
import { toHex } from "../../src/util/bytes.js";
import { readFixture } from "../helpers/fixtures.js";
import { prng } from "../helpers/random.js";
import { readTsv } from "../helpers/tsv.js";

const ovmf = parseFirmware(readFixture("firmware/OVMF.fd"));
const amdSev = parseFirmware(readFixture("firmware/ovmf_AmdSev_suffix.bin"));
const EPYC = cpuSignature(VCPU_TYPES.get("EPYC")!);

function perVcpu(inputs: Partial<LaunchInputs> & Pick<LaunchInputs, "configurations" | "vcpuCounts">) {
  const result = measureLaunch({ mode: "snp", firmware: ovmf, conventions: {}, ...inputs });
  if (!result.perVcpu) throw new Error("expected per-vCPU digests");
  return result.digests.map((m) => new Map([...m].map(([n, d]) => [n, toHex(d)])));
}

/** Oracle rows for OVMF.fd in snp mode without a kernel, keyed like the sweep's configurations. */
function oracleRows() {
  return readTsv("launch-digests/oracle-visible.tsv").filter(
    (r) => r["mode"] === "snp" && r["ovmf_file"] === "firmware/OVMF.fd" && r["kernel_sha256"] === "-",
  );
}

describe("every vCPU count from one chain", () => {
  it("1-64 in one pass equals separate computations and the oracle rows", () => {
    const config: LaunchConfiguration = { vmm: "QEMU", vcpuSignature: EPYC, guestFeatures: 1n };
    const all = perVcpu({ configurations: [config], vcpuCounts: Array.from({ length: 64 }, (_, i) => i + 1) })[0]!;
    expect(all.size).toBe(64);
    for (const n of [1, 2, 3, 17, 64]) expect(all.get(n)).toBe(perVcpu({ configurations: [config], vcpuCounts: [n] })[0]!.get(n));
    for (const row of oracleRows().filter((r) => r["vcpu_type"] === "EPYC")) {
      expect(all.get(Number(row["vcpus"]))).toBe(row["expected_digest_hex"]);
    }
  });

  it("the full sweep (1-512 x every vCPU type x QEMU/ec2/gce) agrees with single computations and the oracle", () => {
    const configs: LaunchConfiguration[] = [];
    for (const vmm of VMM_TYPES) {
      for (const fms of VCPU_TYPES.values()) for (const gf of [1n, 0x21n, 0x40n]) configs.push({ vmm, vcpuSignature: cpuSignature(fms), guestFeatures: gf });
    }
    const counts = Array.from({ length: 512 }, (_, i) => i + 1);
    const sweep = perVcpu({ configurations: configs, vcpuCounts: counts });
    const next = prng(2026);
    for (let i = 0; i < 12; i++) {
      const c = Math.floor(next() * configs.length);
      const n = counts[Math.floor(next() * counts.length)]!;
      expect(sweep[c]!.get(n)).toBe(perVcpu({ configurations: [configs[c]!], vcpuCounts: [n] })[0]!.get(n));
    }
    let checked = 0;
    for (const row of oracleRows()) {
      const vmm = row["vmm_type"] as (typeof VMM_TYPES)[number];
      const type = row["vcpu_type"]!;
      const signature = type.startsWith("fms=")
        ? cpuSignature(Object.fromEntries(["family", "model", "stepping"].map((k, i) => [k, Number(type.slice(4).split("/")[i])])) as never)
        : type === "-" ? undefined : cpuSignature(VCPU_TYPES.get(type)!);
      const gf = BigInt(row["guest_features"]!);
      const index = configs.findIndex(
        (c) => c.vmm === vmm && c.guestFeatures === gf && (!VMM_PROFILES[vmm].usesVcpuSignature || c.vcpuSignature === signature),
      );
      expect(index).toBeGreaterThanOrEqual(0);
      expect(sweep[index]!.get(Number(row["vcpus"]))).toBe(row["expected_digest_hex"]);
      checked++;
    }
    expect(checked).toBe(15);
  });
});

describe("conventions where implementations disagree", () => {
  const kernelHashes = { kernel: EMPTY_SHA256, initrd: EMPTY_SHA256, cmdline: cmdlineHash("") };
  const ec2 = (guestFeatures: bigint, ec2LegacyRdx: boolean) =>
    perVcpu({
      firmware: amdSev,
      firmwareDigest: Buffer.from("086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74", "hex"),
      kernelHashes,
      configurations: [{ vmm: "ec2", vcpuSignature: undefined, guestFeatures }],
      vcpuCounts: [1],
      conventions: { ec2LegacyRdx },
    })[0]!.get(1);

  it("EC2 with RDX 0 reproduces the virtee/sev crate's vectors (fixtures README §3)", () => {
    expect(ec2(0x21n, true)).toBe("6ae80856486b1396af8c82a40351d6ed76a20c785e9c7fa4ffa27c22d5d6313b4b3b458cd3c9968e6f89fb5d8450d7a6");
    expect(ec2(0x1n, true)).toBe("7d3756157c805bf6adf617064c8552e8c1688fa1c8756f11cbf56ba5d25c9270fb69c0505c1cbe1c5c66c0e34c6ed3be");
  });
  it("EC2 by default follows sev-snp-measure's current RDX 0x600 (upstream-test-vectors rows 6-7)", () => {
    expect(ec2(0x21n, false)).toBe("0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb");
  });

  it("the VMSA GPA enters PAGE_INFO at offset 0x68 (checked against a hand-built PAGE_INFO)", () => {
    const config: LaunchConfiguration = { vmm: "gce", vcpuSignature: undefined, guestFeatures: 1n };
    const genoaGpa = 0xf_ffff_ffff_f000;
    const beforeVmsa = perVcpu({ configurations: [config], vcpuCounts: [0] })[0]!.get(0)!;
    const withGenoaGpa = perVcpu({ configurations: [config], vcpuCounts: [1], conventions: { vmsaGpa: genoaGpa } })[0]!.get(1)!;
    const pageInfo = Buffer.alloc(0x70);
    Buffer.from(beforeVmsa, "hex").copy(pageInfo, 0);
    const page = vmsaPage(VMM_PROFILES.gce.resetVmsa(0xfffffff0, 0, 1n, {}));
    createHash("sha384").update(page).digest().copy(pageInfo, 0x30);
    pageInfo.writeUInt16LE(0x70, 0x60);
    pageInfo[0x62] = 2; // VMSA
    pageInfo.writeBigUInt64LE(BigInt(genoaGpa), 0x68);
    expect(withGenoaGpa).toBe(createHash("sha384").update(pageInfo).digest("hex"));
    expect(withGenoaGpa).not.toBe(perVcpu({ configurations: [config], vcpuCounts: [1] })[0]!.get(1));
  });
});

describe("SEV-ES and edge cases", () => {
  it("SEV-ES with 0 vCPUs is the SEV digest, SHA-256 of the file (oracle)", () => {
    const r = measureLaunch({ mode: "seves", firmware: ovmf, configurations: [{ vmm: "QEMU", vcpuSignature: EPYC, guestFeatures: 0n }], vcpuCounts: [0, 4], conventions: {} });
    if (!r.perVcpu) throw new Error("per vCPU expected");
    expect(toHex(r.digests[0]!.get(0)!)).toBe("7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773");
    const single = measureLaunch({ mode: "seves", firmware: ovmf, configurations: [{ vmm: "QEMU", vcpuSignature: EPYC, guestFeatures: 0n }], vcpuCounts: [4], conventions: {} });
    expect(single.perVcpu && toHex(single.digests[0]!.get(4)!)).toBe(toHex(r.digests[0]!.get(4)!));
  });

  it("an AP reset address of 0 allows one vCPU and rejects more", () => {
    const bytes = Uint8Array.from(readFixture("firmware/ovmf_AmdSev_suffix.bin"));
    // SEV_ES_RESET_BLOCK GUID 00f771de-1a7e-4fcb-890e-68c77e2fb44e; its u32 payload precedes "u16 size ‖ GUID".
    const guid = Buffer.from(bytes).lastIndexOf(Buffer.from("de71f7007e1acb4f890e68c77e2fb44e", "hex"));
    bytes.set([0, 0, 0, 0], guid - 2 - 4);
    const fw = parseFirmware(bytes);
    expect(fw.sevEsResetEip).toBe(0);
    const config = { vmm: "QEMU" as const, vcpuSignature: EPYC, guestFeatures: 1n };
    expect(measureLaunch({ mode: "snp", firmware: fw, configurations: [config], vcpuCounts: [1], conventions: {} }).perVcpu).toBe(true);
    expect(() => measureLaunch({ mode: "snp", firmware: fw, configurations: [config], vcpuCounts: [2], conventions: {} })).toThrow(
      expect.objectContaining({ code: "AP_RESET_EIP_ZERO" }) as MeasureError,
    );
  });

  it("QEMU without a vCPU signature is refused, ec2 and gce do not need one", () => {
    expect(() => perVcpu({ configurations: [{ vmm: "QEMU", vcpuSignature: undefined, guestFeatures: 1n }], vcpuCounts: [1] })).toThrow(
      expect.objectContaining({ code: "VCPU_SIGNATURE_REQUIRED" }) as MeasureError,
    );
    expect(perVcpu({ configurations: [{ vmm: "gce", vcpuSignature: undefined, guestFeatures: 1n }], vcpuCounts: [2] })[0]!.get(2)).toBe(
      "54089cc1872606eb58e09c0c780095ec910d96faf61d0ddbc608539b6b3338fb109b89f3e3662ee6cdb74552629e86d5",
    );
  });
});
