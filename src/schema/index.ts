import type { z } from "zod";
import { ArtifactDigests, KernelMeasurement } from "./kernel-measurement.js";
import { LaunchDigestReport } from "./launch-digest-report.js";

/** Every file format reftrail reads or writes, by the name of its JSON Schema in `schemas/`. */
export const SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  "launch-digest-report": LaunchDigestReport,
  "kernel-measurement": KernelMeasurement,
  "artifact-digests": ArtifactDigests,
};
