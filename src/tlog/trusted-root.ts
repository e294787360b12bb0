import { createPublicKey } from "node:crypto";
import { TRUSTED_ROOT_MEDIA_TYPE, TrustedRoot } from "../schema/trusted-root.js";
import { parseDocument } from "../schema/parse.js";
import { formatRfc3339, parseRfc3339 } from "../util/rfc3339.js";
import { TlogError } from "./errors.js";
import { spkiDer } from "../keys/component-keys.js";
import { logIdentity, type LogIdentity } from "./keys.js";

/** A Rekor v1 log from a trusted root: its key, host name and key validity (ns, inclusive). */
export interface RootLog {
  readonly identity: LogIdentity;
  readonly name: string;
  readonly baseUrl: string;
  readonly validFor: { readonly start?: bigint; readonly end?: bigint };
}

/**
 * The Rekor v1 logs of a Sigstore trusted root: ECDSA keys whose SHA-256 is their stated log id.
 * Ed25519 logs are Rekor v2 (other entry format, other id derivation) and are left out; a v1 log
 * whose id does not match its key makes the whole root unusable.
 */
export function rekorV1Logs(text: string, what: string): RootLog[] {
  const root = parseDocument(TrustedRoot, text, what);
  const logs: RootLog[] = [];
  root.tlogs.forEach((tlog, i) => {
    if (!tlog.publicKey.keyDetails.startsWith("PKIX_ECDSA_")) return;
    let identity: LogIdentity;
    try {
      identity = logIdentity(createPublicKey({ key: Buffer.from(tlog.publicKey.rawBytes, "base64"), format: "der", type: "spki" }));
    } catch {
      throw new TlogError("LOG_KEY", `tlogs[${i}].publicKey.rawBytes is not an SPKI public key`, what);
    }
    if (Buffer.from(tlog.logId.keyId, "base64").toString("hex") !== identity.logId) {
      throw new TlogError("LOG_KEY", `tlogs[${i}].logId is not the SHA-256 of its public key`, what);
    }
    const start = tlog.publicKey.validFor?.start;
    const end = tlog.publicKey.validFor?.end;
    logs.push({
      identity,
      name: new URL(tlog.baseUrl).hostname,
      baseUrl: tlog.baseUrl,
      validFor: { ...(start ? { start: parseRfc3339(start)! } : {}), ...(end ? { end: parseRfc3339(end)! } : {}) },
    });
  });
  if (logs.length === 0) throw new TlogError("LOG_KEY", "the trusted root lists no Rekor v1 (ECDSA) transparency log", what);
  return logs;
}

/**
 * A trusted root naming one log, for standard Sigstore tooling (`cosign verify-blob
 * --trusted-root`, @sigstore/verify). Its baseUrl carries the log's host name, which is how those
 * tools match checkpoint signatures to the log.
 */
export function trustedRootFor(identity: LogIdentity, baseUrl: string, start: bigint): TrustedRoot {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [
      {
        baseUrl,
        hashAlgorithm: "SHA2_256",
        publicKey: {
          rawBytes: Buffer.from(spkiDer(identity.publicKey)).toString("base64"),
          keyDetails: "PKIX_ECDSA_P256_SHA_256",
          validFor: { start: formatRfc3339(start) },
        },
        logId: { keyId: Buffer.from(identity.logId, "hex").toString("base64") },
      },
    ],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
}
