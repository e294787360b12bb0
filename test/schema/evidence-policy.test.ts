import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EvidencePolicy } from "../../src/schema/evidence-policy.js";
import { SchemaError, parseDocument } from "../../src/schema/parse.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { policyForRelease, vcpuRanges } from "../../src/verify/evidence/policy-init.js";
import { ROOT } from "../helpers/fixtures.js";

/** The verification policy: what `policy init` writes, and every malformed policy refused with its field. */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const values = parseDocument(ReferenceValues, readFileSync(VALUES, "utf8"), VALUES);
const written = () => JSON.parse(JSON.stringify(policyForRelease(values)));
const parse = (doc: unknown) => parseDocument(EvidencePolicy, JSON.stringify(doc), "policy.json");

describe("policy init (policyForRelease)", () => {
  it("writes exactly the release's components, each pinned to this release's values, and parses as a policy", () => {
    const p = parse(written());
    expect(Object.keys(p.components)).toEqual(values.components.map((c) => c.name));
    expect(p.components["ovmf"]).toMatchObject({ kind: "firmware", endorsement: { release: { name: values.release.name, version: "2026.11.0" }, log: { inclusionProof: true } } });
    expect(p.components["ovmf"]!.endorsement!.claims).toEqual(values.components[0]!.claims);
  });

  it("writes exactly the SNP configurations the release published, grouped without widening them", () => {
    const p = parse(written());
    const firmware = values.components.find((c) => c.kind === "firmware")!;
    if (firmware.kind !== "firmware") throw new Error("no firmware");
    const published = new Set(
      firmware.launchDigests.flatMap((e) => (e.mode === "snp" ? Object.keys(e.digests).map((n) => `${e.vmmType}/${e.vcpuSignature}/${e.guestFeatures}/${n}`) : [])),
    );
    // Every combination a boot entry allows is one the release published, and the other way round.
    // vCPU model → signature as the release recorded them (not reftrail's table).
    const signatureOf = new Map(firmware.launchDigests.flatMap((e) => (e.mode === "snp" && e.vcpuType ? [[e.vcpuType, e.vcpuSignature]] : [])));
    const counts = (text: string) => text.split(",").flatMap((part) => {
      const [from, to] = part.split("-").map(Number);
      return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
    });
    const allowed = new Set<string>();
    for (const b of p.boot) {
      for (const vmm of b.vmmTypes) {
        for (const s of vmm === "QEMU" ? (b.vcpuTypes ?? []).map((t) => signatureOf.get(t)) : [null]) for (const g of b.guestFeatures) for (const n of counts(b.vcpus)) allowed.add(`${vmm}/${s}/${g}/${n}`);
      }
    }
    expect([...allowed].sort()).toEqual([...published].sort());
    expect(p.boot.every((b) => b.kernelHashes === false)).toBe(true);
  });

  it("vcpuRanges writes counts as ranges", () => {
    expect(vcpuRanges([1, 2, 3, 5, 7, 8])).toBe("1-3,5,7-8");
    expect(vcpuRanges([64])).toBe("64");
  });
});

describe("a malformed policy is refused naming the field", () => {
  const cases: [string, (p: Record<string, any>) => void, RegExp][] = [
    ["an unknown top-level field", (p) => (p.extra = 1), /extra/],
    ["an unknown component field", (p) => (p.components.ovmf.extra = 1), /components\.ovmf/],
    ["a version other than 1", (p) => (p.version = 2), /version/],
    ["a component with two sources", (p) => (p.components.initrd = { kind: "initrd", digest: { sha256: "0".repeat(64) }, skip: { reason: "x" } }), /exactly one of endorsement, digest, value and skip/],
    ["a component with none", (p) => (p.components.initrd = { kind: "initrd" }), /exactly one of/],
    ["a literal cmdline given as a digest", (p) => (p.components.cmdline = { kind: "cmdline", digest: { sha256: "0".repeat(64) } }), /with its NUL/],
    ["a firmware given as a literal digest", (p) => (p.components.ovmf = { kind: "firmware", digest: { sha256: "0".repeat(64) } }), /recomputed from its endorsed layout/],
    ["no firmware", (p) => delete p.components.ovmf, /starts with the firmware/],
    ["a skipped firmware", (p) => (p.components.ovmf = { kind: "firmware", skip: { reason: "x" } }), /starts with the firmware/],
    ["two kernels", (p) => (p.components.other = { kind: "kernel", digest: { sha256: "0".repeat(64) } }), /one kernel boots a guest/],
    ["a vCPU count beyond 512", (p) => (p.boot[0].vcpus = "1-513"), /out of bounds/],
    ["an unknown vCPU model", (p) => (p.boot[0].vcpuTypes = ["EPYC-Venice"]), /vcpuTypes/],
    ["QEMU without a vCPU", (p) => (p.boot = [{ vcpus: "1", vmmTypes: ["QEMU"], guestFeatures: ["0x1"], kernelHashes: false }]), /vcpuTypes or vcpuSignatures/],
    ["no boot entry", (p) => (p.boot = []), /boot/],
    ["a bad valuesSha256", (p) => (p.components.ovmf.endorsement.valuesSha256 = "xyz"), /valuesSha256/],
    ["a bad integratedAfter", (p) => (p.components.ovmf.endorsement.log.integratedAfter = "yesterday"), /integratedAfter/],
    ["an empty skip reason", (p) => (p.components.initrd = { kind: "initrd", skip: { reason: "" } }), /reason/],
  ];
  it.each(cases)("%s", (_name, edit, message) => {
    const p = written();
    edit(p);
    expect(() => parse(p)).toThrow(SchemaError);
    expect(() => parse(p)).toThrow(message);
  });

  it("truncated or not JSON", () => {
    const text = JSON.stringify(written());
    for (const cut of [0, 1, text.length / 2, text.length - 1]) {
      let error: unknown;
      try {
        parseDocument(EvidencePolicy, text.slice(0, cut), "policy.json");
      } catch (err) {
        error = err;
      }
      expect(error, `cut at ${cut}`).toBeInstanceOf(SchemaError);
      expect((error as SchemaError).subject).toBe("policy.json");
      expect((error as SchemaError).message).toMatch(/not valid JSON/);
    }
  });
});
