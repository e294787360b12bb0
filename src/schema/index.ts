import type { z } from "zod";
import { ArtifactDigests, KernelMeasurement } from "./kernel-measurement.js";
import { ComposeReport, LaunchDigestReport } from "./launch-digest-report.js";
import { ReferenceValues } from "./reference-values.js";
import { ReleaseManifest } from "./release-manifest.js";
import { MessageSignatureBundle } from "./bundle.js";
import { OakEvidenceVerdict } from "./oak-verdict.js";
import { EndorsementStatement } from "./endorsement.js";
import { KeyRegistry } from "./key-registry.js";
import { MonitorState } from "./monitor-state.js";
import { AuditHistory } from "./audit-history.js";
import { MeasurementFinding } from "./audit-find.js";
import { AuditorState } from "./auditor-state.js";
import { SnpPolicy } from "./snp-policy.js";
import { Verdict } from "./verdict.js";
import { EvidencePolicy } from "./evidence-policy.js";
import { SnpEvidenceVerdict } from "./evidence-verdict.js";
import { EndorsementVerdict, ReleaseVerdict, ReportVerdict } from "./verdicts.js";

/**
 * Every file format reftrail reads or writes, by the name of its JSON Schema in `schemas/`. Formats
 * reftrail reads are described as their input (defaults optional), those it writes as output.
 */
export const SCHEMAS: Readonly<Record<string, { readonly schema: z.ZodType; readonly io: "input" | "output" }>> = {
  "launch-digest-report": { schema: LaunchDigestReport, io: "output" },
  "kernel-measurement": { schema: KernelMeasurement, io: "output" },
  "artifact-digests": { schema: ArtifactDigests, io: "output" },
  "release-manifest": { schema: ReleaseManifest, io: "input" },
  "reference-values": { schema: ReferenceValues, io: "output" },
  "compose-report": { schema: ComposeReport, io: "output" },
  "endorsement-statement": { schema: EndorsementStatement, io: "output" },
  "key-registry": { schema: KeyRegistry, io: "input" },
  "sigstore-bundle": { schema: MessageSignatureBundle, io: "output" },
  "snp-policy": { schema: SnpPolicy, io: "input" },
  verdict: { schema: Verdict, io: "output" },
  "evidence-policy": { schema: EvidencePolicy, io: "input" },
  "endorsement-verdict": { schema: EndorsementVerdict, io: "output" },
  "report-verdict": { schema: ReportVerdict, io: "output" },
  "release-verdict": { schema: ReleaseVerdict, io: "output" },
  "evidence-verdict": { schema: SnpEvidenceVerdict, io: "output" },
  "oak-evidence-verdict": { schema: OakEvidenceVerdict, io: "output" },
  "monitor-state": { schema: MonitorState, io: "output" },
  "audit-history": { schema: AuditHistory, io: "output" },
  "audit-find": { schema: MeasurementFinding, io: "output" },
  "auditor-state": { schema: AuditorState, io: "output" },
};
