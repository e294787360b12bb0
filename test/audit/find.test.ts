import { describe, expect, it } from "vitest";
import { findMeasurement } from "../../src/audit/find.js";
import { parseKeyRegistry } from "../../src/keys/registry.js";
import { project } from "../helpers/monitor.js";

/** findMeasurement's edges; the answers themselves are tested against sev-snp-measure's rows in test/cli/audit-find.test.ts. */
const registry = parseKeyRegistry(project(["ovmf"]).registryText(), "registry.json");
const trust = { keys: { kind: "registry" as const, registry, source: "registry.json" }, logs: [] };

describe("findMeasurement", () => {
  it("with nothing endorsed: ENDORSEMENTS and MEASUREMENT fail, and the answer says nothing was searched", () => {
    const f = findMeasurement(new Uint8Array(48), [], trust);
    expect(f.verified).toBe(false);
    expect(f.failures).toEqual(["ENDORSEMENTS", "MEASUREMENT"]);
    expect(f.searched).toMatchObject({ releases: [], candidates: 0, digests: 0 });
    expect(f.mode).toBe("snp");
    expect(findMeasurement(new Uint8Array(32), [], trust).mode).toBe("sev/seves");
  });

  it("a measurement of another length is refused", () => {
    expect(() => findMeasurement(new Uint8Array(47), [], trust)).toThrow(/48 bytes .* or 32 bytes/);
  });
});
