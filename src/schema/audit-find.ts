import { z } from "zod";
import { EndorsementOutcome, MatchedConfiguration, SevConfiguration } from "./evidence-verdict.js";
import { Verdict } from "./verdict.js";

/**
 * `reftrail audit find`: which endorsed release and configuration produces a measurement. Checks:
 * ENDORSEMENTS (what was found and verified; refused ones are listed, never used) and MEASUREMENT
 * (an endorsed combination produces it). The values of the combination may come from different
 * releases: a verifier matches each component against its own endorsements, whatever release.
 */
const ReleasesOf = z.array(z.string());
export const MeasurementFinding = Verdict.extend({
  measurement: z.string().regex(/^[0-9a-f]+$/),
  mode: z.enum(["snp", "sev/seves"]).describe("snp: a 48-byte SEV-SNP MEASUREMENT; sev/seves: a 32-byte SEV or SEV-ES digest (looked up in the published digests, then recomputed)"),
  found: z
    .object({
      release: z.string().describe('the newest release whose endorsements carry every value of the boot; "mixed" when no one release does (see releases)'),
      mixed: z.boolean().describe("true when the values come from different releases, each endorsed: a verifier matching each component against its own endorsements accepts this boot"),
      releases: z
        .object({ firmware: ReleasesOf, kernel: ReleasesOf.optional(), initrd: ReleasesOf.optional(), cmdline: ReleasesOf.optional() })
        .strict()
        .describe("per value, every release whose verified endorsements carry it (compared by what the launch digest measures of it), newest first; empty for a value only a published digest vouches for"),
      method: z.enum(["recomputed", "published"]).describe("recomputed with reftrail's measure engine from the endorsed values, or found among the launch digests a firmware endorsement publishes"),
      firmware: z.string().describe("the endorsement the firmware values came from"),
      kernel: z.object({ kernel: z.string(), initrd: z.string().optional(), cmdline: z.string() }).strict().optional().describe("direct boot: where each kernel-hashes table entry came from"),
      configuration: MatchedConfiguration.or(SevConfiguration),
      vcpuTypes: z.array(z.string()).optional().describe("every vCPU model with the found signature: the measurement cannot tell them apart"),
      alsoIn: z.array(z.string()).describe("other releases whose endorsements carry every value of the same boot"),
    })
    .strict()
    .optional(),
  searched: z
    .object({
      releases: z.array(z.string()),
      endorsements: z.number().int().nonnegative(),
      candidates: z.number().int().nonnegative().describe("endorsed boots (firmware, or firmware with kernel, initrd and command line) of one release each"),
      mixedBoots: z.number().int().nonnegative().describe("boots combining values of different releases, searched after each release's own (bounded: what the bound left out is in notSearched)"),
      digests: z.number().int().nonnegative().describe("launch digests recomputed or compared"),
      configurations: z.string().describe("the configurations searched, in words"),
      unmeasurable: z.array(z.string()),
      notSearched: z.array(z.string()).describe("releases without a firmware endorsement, combinations of releases over the bound, and why"),
    })
    .strict(),
  refused: z.array(EndorsementOutcome),
  unavailable: z.array(z.object({ component: z.string(), source: z.string(), sha256: z.string() }).strict()).describe("log entries whose statement was not at hand"),
}).strict();
export type MeasurementFinding = z.infer<typeof MeasurementFinding>;
