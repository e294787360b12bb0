import { existsSync } from "node:fs";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS, endorsementPath } from "../endorse/files.js";
import { MAX_REGISTRY_BYTES } from "../keys/registry-file.js";
import { keyIdOf, parsePublicKey } from "../keys/component-keys.js";
import { parseKeyRegistry } from "../keys/registry.js";
import { logIdentity, publicKeyFromPem } from "../tlog/keys.js";
import { rekorV1Logs } from "../tlog/trusted-root.js";
import { ReftrailError } from "../util/errors.js";
import type { KeySource } from "../keys/key-source.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import type { LoggedEndorsement } from "../tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "../verify/endorsement/policy.js";
import type { PublishedEndorsement } from "../verify/endorsement/published.js";
import { loggedFromBundle, loggedFromLogEntry } from "../tlog/read-logged.js";
import { splitList, timeOption, type OptionSpecs, type ParsedOptions } from "./args.js";
import { InputError, UsageError } from "./errors.js";
import { fileSubject, readInputFile, readTextInput } from "./input.js";

const MAX_SMALL_FILE_BYTES = 1 << 20;
/** The same limits as endorse and publish apply to a component folder's files. */
const LIMITS = ENDORSEMENT_FILE_LIMITS;

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

function inputError(option: string, path: string, err: unknown): never {
  if (err instanceof ReftrailError) throw new InputError(err.code, err.message, fileSubject(option, path));
  throw err;
}

export function trustedLogs(o: TrustOptions): TrustedLogKey[] {
  if ((o["rekor-key"] === undefined) === (o["trusted-root"] === undefined)) throw new UsageError("give exactly one of --rekor-key and --trusted-root");
  if (o["trusted-root"] !== undefined) {
    if (o["rekor-name"] !== undefined) throw new UsageError("--rekor-name goes with --rekor-key (a trusted root names its logs)");
    const path = o["trusted-root"];
    const text = readTextInput("--trusted-root", path, 4 << 20);
    try {
      return rekorV1Logs(text, path).map((l) => ({ identity: l.identity, name: l.name, validFor: l.validFor, source: `${l.baseUrl} (${path})` }));
    } catch (err) {
      return inputError("--trusted-root", path, err);
    }
  }
  const path = o["rekor-key"]!;
  const pem = readTextInput("--rekor-key", path, MAX_SMALL_FILE_BYTES);
  let identity;
  try {
    identity = logIdentity(publicKeyFromPem(pem));
  } catch (err) {
    // KEY_FILE, as for --key: the error code scripts see does not depend on which key was bad.
    if (err instanceof ReftrailError) throw new InputError("KEY_FILE", err.message, fileSubject("--rekor-key", path));
    throw err;
  }
  const name = o["rekor-name"];
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?$/.test(name)) throw new UsageError(`'${name}' is not a host name`, "--rekor-name");
  return [{ identity, ...(name !== undefined ? { name } : {}), source: path }];
}

export function keySource(o: TrustOptions): KeySource {
  if ((o.key === undefined) === (o["key-registry"] === undefined)) throw new UsageError("give exactly one of --key and --key-registry");
  if (o.key !== undefined) {
    const path = o.key;
    const pem = readTextInput("--key", path, MAX_SMALL_FILE_BYTES);
    try {
      const key = parsePublicKey(pem, "the key");
      return { kind: "keys", keys: [{ key, keyId: keyIdOf(key), source: path }] };
    } catch (err) {
      return inputError("--key", path, err);
    }
  }
  const path = o["key-registry"]!;
  const text = readTextInput("--key-registry", path, MAX_REGISTRY_BYTES);
  try {
    return { kind: "registry", registry: parseKeyRegistry(text, path), source: path };
  } catch (err) {
    return inputError("--key-registry", path, err);
  }
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

/** A logged endorsement from explicit files: the statement plus a signature and log entry, or a bundle. */
export function loggedFromFiles(files: { endorsement: string; signature?: string | undefined; logEntry?: string | undefined; bundle?: string | undefined }, options = { endorsement: "--endorsement", signature: "--signature", logEntry: "--log-entry", bundle: "--bundle" }): LoggedEndorsement {
  const statement = readInputFile(options.endorsement, files.endorsement, LIMITS.statement);
  if (files.bundle !== undefined) {
    if (files.logEntry !== undefined) throw new UsageError("a bundle carries its log entry: give --bundle or --log-entry, not both");
    const signature = files.signature === undefined ? undefined : readInputFile(options.signature, files.signature, LIMITS.signature);
    const text = readTextInput(options.bundle, files.bundle, LIMITS.bundle);
    try {
      return loggedFromBundle(statement, text, files.bundle, signature);
    } catch (err) {
      return inputError(options.bundle, files.bundle, err);
    }
  }
  if (files.signature === undefined || files.logEntry === undefined) throw new UsageError("give --signature and --log-entry, or --bundle");
  const signature = readInputFile(options.signature, files.signature, LIMITS.signature);
  const text = readTextInput(options.logEntry, files.logEntry, LIMITS.logEntry);
  try {
    return loggedFromLogEntry(statement, signature, text, files.logEntry);
  } catch (err) {
    return inputError(options.logEntry, files.logEntry, err);
  }
}

const NO_OPTION = { endorsement: "", signature: "", logEntry: "", bundle: "" };

/**
 * The logged endorsements of a component folder: logentry.json (with endorsement.json.sig) and the Sigstore
 * bundle, each that exists (at least one must); a bundle beside a .sig is read with it, so the two
 * signatures must agree. A file that cannot be read as what it should be is an input error naming it.
 */
export function loggedFromFolder(dir: string): PublishedEndorsement[] {
  const path = (f: keyof typeof ENDORSEMENT_FILES) => endorsementPath(dir, f);
  const hasLogEntry = existsSync(path("logEntry"));
  const hasBundle = existsSync(path("bundle"));
  if (!hasLogEntry && !hasBundle) throw new InputError("FILE_NOT_FOUND", `holds neither ${ENDORSEMENT_FILES.logEntry} nor ${ENDORSEMENT_FILES.bundle} (not published yet?)`, dir);
  const names = { endorsement: path("statement"), signature: path("signature"), logEntry: path("logEntry"), bundle: path("bundle") };
  const found: PublishedEndorsement[] = [];
  if (hasLogEntry) {
    found.push({ file: ENDORSEMENT_FILES.logEntry, logged: loggedFromFiles({ endorsement: names.endorsement, signature: names.signature, logEntry: names.logEntry }, NO_OPTION) });
  }
  if (hasBundle) {
    const signature = existsSync(names.signature) ? names.signature : undefined;
    found.push({ file: ENDORSEMENT_FILES.bundle, logged: loggedFromFiles({ endorsement: names.endorsement, bundle: names.bundle, signature }, NO_OPTION) });
  }
  return found;
}
