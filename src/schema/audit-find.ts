import { z } from "zod";
import { EndorsementOutcome, MatchedConfiguration } from "./evidence-verdict.js";
import { Verdict } from "./verdict.js";

/**
 * `reftrail audit find`: which endorsed release and configuration produces a measurement. Checks:
 * ENDORSEMENTS (what was found and verified; refused ones are listed, never used) and MEASUREMENT
 * (an endorsed combination produces it).
 */
export const MeasurementFinding = Verdict.extend({
  measurement: z.string().regex(/^[0-9a-f]+$/),
  mode: z.enum(["snp", "sev/seves"]).describe("snp: a 48-byte SEV-SNP MEASUREMENT, recomputed; sev/seves: a 32-byte SEV or SEV-ES digest, looked up in the firmware endorsements' published digests"),
  found: z
    .object({
      release: z.string(),
      firmware: z.string().describe("the endorsement the firmware values came from"),
      kernel: z.object({ kernel: z.string(), initrd: z.string().optional(), cmdline: z.string() }).strict().optional().describe("direct boot: where each kernel-hashes table entry came from"),
      configuration: MatchedConfiguration.or(z.object({ mode: z.string(), vmm: z.string().nullable(), vcpus: z.string(), vcpuType: z.string().nullable(), kernelHashes: z.boolean() }).strict()),
      vcpuTypes: z.array(z.string()).optional().describe("every vCPU model with the found signature: the measurement cannot tell them apart"),
      alsoIn: z.array(z.string()).describe("other releases whose endorsed values produce the same boot"),
    })
    .strict()
    .optional(),
  searched: z
    .object({
      releases: z.array(z.string()),
      endorsements: z.number().int().nonnegative(),
      candidates: z.number().int().nonnegative().describe("endorsed boots (firmware, or firmware with kernel, initrd and command line)"),
      digests: z.number().int().nonnegative().describe("launch digests recomputed or compared"),
      configurations: z.string().describe("the configurations searched, in words"),
      unmeasurable: z.array(z.string()),
      notSearched: z.array(z.string()).describe("releases without a firmware endorsement, and why"),
    })
    .strict(),
  refused: z.array(EndorsementOutcome),
  unavailable: z.array(z.object({ component: z.string(), source: z.string(), sha256: z.string() }).strict()).describe("log entries whose statement was not at hand"),
}).strict();
export type MeasurementFinding = z.infer<typeof MeasurementFinding>;
