import type { KeySource } from "../keys/key-source.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import type { LoggedEndorsement } from "../tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "../verify/endorsement/policy.js";
import { keysFromKeyFile, keysFromRegistry } from "../verify/load/keys.js";
import { loggedFromFiles } from "../verify/load/logged.js";
import { logFromKeyFile, logsFromTrustedRoot } from "../verify/load/trusted-logs.js";
import { splitList, timeOption, type OptionSpecs, type ParsedOptions } from "./args.js";
import { UsageError } from "./errors.js";
import { fileSubject } from "./input.js";

/** Trust and policy options shared by `verify endorsement` and `verify release`. */
export const TRUST_OPTIONS = {
  key: { type: "string", value: "FILE", description: "the component's public key (PEM)" },
  "key-registry": { type: "string", value: "FILE", description: "key registry: the component's keys and their validity windows (instead of --key)" },
  component: { type: "string", value: "NAME", description: "the component the endorsement must be for (and whose registry keys to use)" },
  "rekor-key": { type: "string", value: "FILE", description: "the transparency log's public key (PEM)" },
  "rekor-name": { type: "string", value: "HOST", description: "the log's host name in checkpoints (default: as the checkpoint names it)" },
  "trusted-root": { type: "string", value: "FILE", description: "a Sigstore trusted_root.json (its Rekor v1 logs, names and key validity) instead of --rekor-key" },
  claims: { type: "string", multiple: true, value: "URI[,URI…]", description: "claims the endorsement must make (repeatable)" },
  at: { type: "string", value: "TIME", description: "verification time, RFC 3339 or YYYY-MM-DD (default: now)" },
  "allow-set-only": { type: "boolean", description: "accept an entry with a SET but no inclusion proof and checkpoint (lower assurance)" },
} as const satisfies OptionSpecs;

type TrustOptions = ParsedOptions<typeof TRUST_OPTIONS>;

export function trustedLogs(o: TrustOptions): TrustedLogKey[] {
  if ((o["rekor-key"] === undefined) === (o["trusted-root"] === undefined)) throw new UsageError("give exactly one of --rekor-key and --trusted-root");
  if (o["trusted-root"] !== undefined) {
    if (o["rekor-name"] !== undefined) throw new UsageError("--rekor-name goes with --rekor-key (a trusted root names its logs)");
    return logsFromTrustedRoot(o["trusted-root"], fileSubject("--trusted-root", o["trusted-root"]));
  }
  const log = logFromKeyFile(o["rekor-key"]!, fileSubject("--rekor-key", o["rekor-key"]!));
  const name = o["rekor-name"];
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?$/.test(name)) throw new UsageError(`'${name}' is not a host name`, "--rekor-name");
  return [{ ...log, ...(name !== undefined ? { name } : {}) }];
}

export function keySource(o: TrustOptions): KeySource {
  if ((o.key === undefined) === (o["key-registry"] === undefined)) throw new UsageError("give exactly one of --key and --key-registry");
  if (o.key !== undefined) return keysFromKeyFile(o.key, fileSubject("--key", o.key));
  return keysFromRegistry(o["key-registry"]!, fileSubject("--key-registry", o["key-registry"]!));
}

export function verificationTime(o: TrustOptions): bigint {
  if (o.at === undefined) return BigInt(Date.now()) * 1_000_000n;
  return timeOption("--at", o.at);
}

export function subjectDigestOption(text: string | undefined): EndorsementPolicy["subjectDigest"] {
  if (text === undefined) return undefined;
  const m = /^(?:([a-z0-9_]+):)?([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m || m[2]!.length % 2 !== 0) throw new UsageError(`'${text}' is not a hex digest (optionally ALG:HEX, e.g. sha256:…)`, "--subject-digest");
  const algorithm = m[1] === "sha2_256" ? "sha256" : m[1] === "sha2_384" ? "sha384" : m[1] === "sha2_512" ? "sha512" : m[1];
  return { ...(algorithm !== undefined ? { algorithm } : {}), hex: m[2]! };
}

/**
 * Every claim URI of every --claims given. An empty item is refused: `--claims "$CLAIMS"` with an
 * unset variable would otherwise require nothing and pass.
 */
function requiredClaims(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((text) => {
    const claims = splitList(text);
    if (claims.includes("")) throw new UsageError(`'${text}' has an empty item: expected claim URIs separated by commas`, "--claims");
    return claims;
  });
}

export function policyFrom(o: TrustOptions & { "subject-digest"?: string }, keys: KeySource, logs: readonly TrustedLogKey[]): EndorsementPolicy {
  const subjectDigest = subjectDigestOption(o["subject-digest"]);
  return {
    keys,
    logs,
    at: verificationTime(o),
    requiredClaims: requiredClaims(o.claims),
    ...(o.component !== undefined ? { component: o.component } : {}),
    ...(subjectDigest ? { subjectDigest } : {}),
    allowSetOnly: o["allow-set-only"] ?? false,
  };
}

/**
 * A logged endorsement from the files given as options: the statement plus a signature and log
 * entry, or a bundle (the option names label the files in messages).
 */
export function loggedFromOptions(
  files: { endorsement: string; signature?: string | undefined; logEntry?: string | undefined; bundle?: string | undefined },
  options = { endorsement: "--endorsement", signature: "--signature", logEntry: "--log-entry", bundle: "--bundle" },
): LoggedEndorsement {
  const subjects = {
    endorsement: fileSubject(options.endorsement, files.endorsement),
    ...(files.signature !== undefined ? { signature: fileSubject(options.signature, files.signature) } : {}),
    ...(files.logEntry !== undefined ? { logEntry: fileSubject(options.logEntry, files.logEntry) } : {}),
    ...(files.bundle !== undefined ? { bundle: fileSubject(options.bundle, files.bundle) } : {}),
  };
  if (files.bundle !== undefined) {
    if (files.logEntry !== undefined) throw new UsageError("a bundle carries its log entry: give --bundle or --log-entry, not both");
    return loggedFromFiles({ endorsement: files.endorsement, bundle: files.bundle, signature: files.signature }, subjects);
  }
  if (files.signature === undefined || files.logEntry === undefined) throw new UsageError("give --signature and --log-entry, or --bundle");
  return loggedFromFiles({ endorsement: files.endorsement, signature: files.signature, logEntry: files.logEntry }, subjects);
}
