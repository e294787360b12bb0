import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { EndorsementVerdict, ReleaseVerdict, ReportVerdict } from "../../src/schema/verdicts.js";
import { runCli } from "../helpers/cli.js";
import { COMMITTED } from "../helpers/fixtures.js";
import { OAK_FILES, RELEASE_VALUES, publishedRelease } from "../helpers/release.js";
import { tempDir } from "../helpers/tlog.js";

/**
 * The verdicts' JSON Schemas describe what the CLI really prints: real `--json` outputs, verified
 * and not, parse with the strict zod schemas they are generated from, so a field a verifier prints
 * and the schema forgot (or one the schema requires and the verifier dropped) fails here.
 */

const snp = (set: string, file: string) => join(COMMITTED, "snp-reports", set, file);

/** Runs a verification with --json, expecting `status`, and returns its output parsed with `schema`. */
function verdictOf<S extends z.ZodType>(schema: S, args: string[], status: 0 | 1): z.infer<S> {
  const r = runCli([...args, "--json"]);
  expect(r.status, r.stderr).toBe(status);
  const parsed = schema.safeParse(JSON.parse(r.stdout));
  expect(parsed.error?.issues ?? []).toEqual([]);
  return parsed.data as z.infer<S>;
}

describe("verdict schemas hold for real --json output", () => {
  it("verify endorsement: Oak's testdata verified, then expired", () => {
    const good = verdictOf(EndorsementVerdict, ["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01"], 0);
    expect([good.verified, good.failures]).toEqual([true, []]);
    const expired = verdictOf(EndorsementVerdict, ["verify", "endorsement", ...OAK_FILES, "--at", "2025-03-01"], 1);
    expect([expired.failures, expired.failure?.check]).toEqual([["VALIDITY"], "VALIDITY"]);
    expect(expired.checks.filter((c) => c.status === "not run").length).toBeGreaterThan(0);
  });

  it("verify report: Oak's Turin report verified; go-sev-guest's debug report fails its policy", () => {
    const good = verdictOf(ReportVerdict, ["verify", "report", "--report", snp("oak_turin_oc", "report.bin"), "--cert", snp("oak_turin_oc", "vcek.der"), "--at", "2026-06-01T00:00:00Z"], 0);
    expect(good.product).toBe("Turin");
    const debug = verdictOf(ReportVerdict, ["verify", "report", "--report", snp("gosevguest_milan", "report.bin"), "--cert", snp("gosevguest_milan", "vcek.der"), "--at", "2026-06-01T00:00:00Z"], 1);
    expect(debug.failures).toEqual(["POLICY_GUEST_POLICY"]);
  });

  describe("a published release, its component folders, and damaged copies", () => {
    const { registry, rekorKey, release } = publishedRelease("verdict-schemas");
    const trust = ["--key-registry", registry, "--rekor-key", rekorKey];
    const damaged = () => {
      const dir = join(tempDir("verdict-schemas-copy"), "release");
      cpSync(release, dir, { recursive: true });
      cpSync(join(dir, "cmdline/endorsement.sigstore.json"), join(dir, "initrd/endorsement.sigstore.json"));
      writeFileSync(join(dir, "ovmf/endorsement.sigstore.json"), "{");
      return dir;
    };

    it("verify endorsement --dir: every file's verdict, and the failing file named", () => {
      const good = verdictOf(EndorsementVerdict, ["verify", "endorsement", "--dir", join(release, "initrd"), ...trust], 0);
      expect(good.files?.map((f) => f.verified)).toEqual([true, true]);
      const bad = verdictOf(EndorsementVerdict, ["verify", "endorsement", "--dir", join(damaged(), "initrd"), ...trust], 1);
      expect(bad.failure?.file).toBe("endorsement.sigstore.json");
    });

    it("verify release: verified with its reference values; a damaged copy fails with an error row, a failed row and the release checks", () => {
      const good = verdictOf(ReleaseVerdict, ["verify", "release", "--endorsements", release, "--reference-values", RELEASE_VALUES, ...trust], 0);
      expect(good.checks.filter((c) => c.check.startsWith("RELEASE_")).every((c) => c.status === "passed")).toBe(true);
      const bad = verdictOf(ReleaseVerdict, ["verify", "release", "--endorsements", damaged(), "--reference-values", RELEASE_VALUES, ...trust], 1);
      expect(bad.components.find((c) => c.folder === "ovmf")?.error).toBeDefined();
      // Neither failed component counts as endorsed, so the release is also incomplete.
      expect(bad.failures).toEqual(["COMPONENT_INITRD", "COMPONENT_OVMF", "RELEASE_INCOMPLETE"]);
      const unchecked = verdictOf(ReleaseVerdict, ["verify", "release", "--endorsements", release, ...trust], 0);
      expect(unchecked.checks.find((c) => c.check === "RELEASE_INCOMPLETE")?.status).toBe("skipped");
    });
  });

  it("the schemas are strict: a field they do not name fails, at the top and inside a check", () => {
    const r = runCli(["verify", "endorsement", ...OAK_FILES, "--at", "2024-10-01", "--json"]);
    const verdict = JSON.parse(r.stdout) as { failures: string[]; checks: object[] };
    expect(EndorsementVerdict.safeParse(verdict).success).toBe(true);
    expect(EndorsementVerdict.safeParse({ ...verdict, verdict: "ok" }).success).toBe(false);
    expect(EndorsementVerdict.safeParse({ ...verdict, checks: [{ ...verdict.checks[0], reason: "x" }, ...verdict.checks.slice(1)] }).success).toBe(false);
    const { failures: _dropped, ...withoutFailures } = verdict;
    expect(EndorsementVerdict.safeParse(withoutFailures).success).toBe(false);
  });
});
