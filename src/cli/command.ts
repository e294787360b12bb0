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
  log: LOG_COMMANDS,
};
