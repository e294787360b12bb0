import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { launchDigestRows } from "../../../src/audit/site/launch-index.js";
import type { FirmwareValues, ReferenceValues } from "../../../src/schema/reference-values.js";
import { ROOT } from "../../helpers/fixtures.js";

// The example release's document: `reftrail measure release` computed its launch digests from the
// firmware's bytes (every page hashed); the index recomputes SNP ones from the layout record alone.
const example = JSON.parse(readFileSync(join(ROOT, "reference-values", "2026.11.0.json"), "utf8")) as ReferenceValues;
const firmware = example.components.find((c): c is FirmwareValues => c.kind === "firmware")!;

function statedDigests(values: FirmwareValues, mode: string): string[] {
  return values.launchDigests.filter((c) => c.mode === mode).flatMap((c) => ("digests" in c ? Object.values(c.digests) : [c.digest]));
}

describe("launchDigestRows", () => {
  it("recomputes every SNP, SEV-ES and SEV digest the example endorses from its values alone", () => {
    expect(firmware.layout.sevFirmwareState).toMatch(/^[0-9a-f]{64}$/);
    const rows = launchDigestRows(firmware);
    for (const mode of ["snp", "seves", "sev"] as const) {
      const own = rows.filter((r) => r.mode === mode);
      expect(own.map((r) => r.digest).sort(), mode).toEqual(statedDigests(firmware, mode).sort());
      expect(new Set(own.map((r) => r.origin)), mode).toEqual(new Set(["recomputed"]));
    }
  });

  it("values without the firmware's SHA-256 state list SEV-ES/SEV digests as endorsed; a tampered state changes them", () => {
    const { sevFirmwareState: _state, ...layout } = firmware.layout;
    const without = launchDigestRows({ ...firmware, layout }).filter((r) => r.mode !== "snp");
    expect(without.map((r) => r.digest).sort()).toEqual([...statedDigests(firmware, "seves"), ...statedDigests(firmware, "sev")].sort());
    expect(new Set(without.map((r) => r.origin))).toEqual(new Set(["endorsed"]));
    const tampered = launchDigestRows({ ...firmware, layout: { ...firmware.layout, sevFirmwareState: "00".repeat(32) } }).filter((r) => r.mode !== "snp");
    const genuine = new Set([...statedDigests(firmware, "seves"), ...statedDigests(firmware, "sev")]);
    expect(tampered.length).toBe(genuine.size);
    expect(tampered.filter((r) => genuine.has(r.digest))).toEqual([]);
  });

  it("indexes what the values produce, not what a statement claims: a forged digest is not found", () => {
    const forged = "ab".repeat(48);
    const first = firmware.launchDigests.find((c) => c.mode === "snp")!;
    if (!("digests" in first)) throw new Error("no per-vCPU digests");
    const [vcpus, genuine] = Object.entries(first.digests)[0]!;
    const values: FirmwareValues = { ...firmware, launchDigests: [{ ...first, digests: { ...first.digests, [vcpus]: forged } }] };
    const digests = launchDigestRows(values).map((r) => r.digest);
    expect(digests).not.toContain(forged);
    expect(digests).toContain(genuine);
  });

  it("a changed firmware layout changes every recomputed digest", () => {
    const values: FirmwareValues = { ...firmware, layout: { ...firmware.layout, snpFirmwareDigest: "00".repeat(48) } };
    const genuine = new Set(statedDigests(firmware, "snp"));
    const snp = launchDigestRows(values).filter((r) => r.mode === "snp");
    expect(snp.length).toBeGreaterThan(0);
    expect(snp.filter((r) => genuine.has(r.digest))).toEqual([]);
  });
});
