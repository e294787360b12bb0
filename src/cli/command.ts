/** A `reftrail <stage> <verb>` command, loaded only when invoked so start-up stays small. */
export interface Command {
  /** Returns the process exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const LOG_COMMANDS: Readonly<Record<string, CommandEntry>> = {
  init: {
    summary: "create an embedded transparency log (database and signing key)",
    load: async () => (await import("./commands/log-init.js")).command,
  },
  serve: {
    summary: "serve an embedded log over the Rekor v1 REST API",
    load: async () => (await import("./commands/log-serve.js")).command,
  },
  info: {
    summary: "size, root hash and signed checkpoint of an embedded log",
    load: async () => (await import("./commands/log-info.js")).command,
  },
  "trusted-root": {
    summary: "a Sigstore trusted_root.json for an embedded log (for cosign and @sigstore/verify)",
    load: async () => (await import("./commands/log-trusted-root.js")).command,
  },
};

export const COMMANDS: Readonly<Record<string, Readonly<Record<string, CommandEntry>>>> = {
  measure: {
    "launch-digest": {
      summary: "SEV-SNP / SEV-ES / SEV launch digest of a firmware (sev-snp-measure compatible flags)",
      load: async () => (await import("./commands/measure-launch-digest.js")).command,
    },
    kernel: {
      summary: "kernel image and setup-data digests (Oak), kernel-hashes table entries (QEMU); bzImage or UKI",
      load: async () => (await import("./commands/measure-kernel.js")).command,
    },
    release: {
      summary: "reference values of every component of a release manifest, as one document",
      load: async () => (await import("./commands/measure-release.js")).command,
    },
    compose: {
      summary: "SNP launch digests of a published firmware for any kernel and vCPU count, from reference values alone",
      load: async () => (await import("./commands/measure-compose.js")).command,
    },
    artifact: {
      summary: "SHA-256/384/512 of any files, all algorithms in one streamed pass",
      load: async () => (await import("./commands/measure-artifact.js")).command,
    },
  },
  keys: {
    generate: {
      summary: "one ECDSA P-256 endorsement key per component (private key mode 0600), optionally registered",
      load: async () => (await import("./commands/keys-generate.js")).command,
    },
    register: {
      summary: "add a public key to a component in a key registry, or set its validity window (rotation)",
      load: async () => (await import("./commands/keys-register.js")).command,
    },
  },
  endorse: {
    release: {
      summary: "sign an Oak-compatible in-toto endorsement per component of a release, each with its own key",
      load: async () => (await import("./commands/endorse-release.js")).command,
    },
  },
  publish: {
    release: {
      summary: "log each endorsement in Rekor (or the embedded log): logentry.json + Sigstore bundle",
      load: async () => (await import("./commands/publish-release.js")).command,
    },
  },
  verify: {
    endorsement: {
      summary: "verify one endorsement offline: signature, statement, validity, claims, Rekor entry and proofs",
      load: async () => (await import("./commands/verify-endorsement.js")).command,
    },
    report: {
      summary: "verify an AMD SEV-SNP attestation report: VCEK/VLEK chain to AMD's roots, signature, binding, policy",
      load: async () => (await import("./commands/verify-report.js")).command,
    },
    bundle: {
      summary: "verify a Sigstore bundle signed with a caller-held key over any file (cosign sign-blob --key)",
      load: async () => (await import("./commands/verify-bundle.js")).command,
    },
    release: {
      summary: "verify every published component of a release against a key registry",
      load: async () => (await import("./commands/verify-release.js")).command,
    },
    evidence: {
      summary: "verify attestation evidence against logged endorsements component by component: an SEV-SNP report (launch digests recomputed) or Oak's evidence",
      load: async () => (await import("./commands/verify-evidence.js")).command,
    },
  },
  inspect: {
    report: {
      summary: "print every field of an SEV-SNP attestation report, decoded",
      load: async () => (await import("./commands/inspect-report.js")).command,
    },
  },
  policy: {
    init: {
      summary: "write a release's strict verification policy for verify evidence",
      load: async () => (await import("./commands/policy-init.js")).command,
    },
  },
  log: LOG_COMMANDS,
  audit: {
    history: {
      summary: "every endorsement logged under a component's keys, newest first, each verified, with what changed (auditor's checkpoint kept in --state)",
      load: async () => (await import("./commands/audit-history.js")).command,
    },
    find: {
      summary: "which endorsed release and configuration produces an SEV-SNP measurement (recomputed) or an SEV/SEV-ES digest",
      load: async () => (await import("./commands/audit-find.js")).command,
    },
    "build-site": {
      summary: "write the web viewer as static files: components, timelines, entry pages verified in the browser, measurement search",
      load: async () => (await import("./commands/audit-build-site.js")).command,
    },
    serve: {
      summary: "serve a site built by audit build-site on 127.0.0.1",
      load: async () => (await import("./commands/audit-serve.js")).command,
    },
  },
  demo: {
    "snp-report": {
      summary: "TEST ONLY: an SEV-SNP report signed by a throw-away AMD-like hierarchy (not AMD's; verifies only with --trust-root)",
      load: async () => (await import("./commands/demo-snp-report.js")).command,
    },
  },
};
