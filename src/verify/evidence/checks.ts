/** The checks `reftrail verify evidence --format snp` adds to the report's own, by name. */
export const EVIDENCE_CHECKS = {
  COMPONENT_VALUE: "the component's expected value comes from an endorsement that verifies, or from the policy",
  MEASUREMENT: "MEASUREMENT is a launch digest recomputed from the endorsed values for an allowed configuration",
  LAUNCH_DIGEST_ENDORSED: "the firmware endorsement's own launch digest for that configuration agrees with the recomputation",
  BINDING: "the hardware measurement binds the component",
} as const;

export type EvidenceCheck = keyof typeof EVIDENCE_CHECKS;
