import { BUNDLE_V03_MEDIA_TYPE, type BundleTlogEntry, type CosignRekorBundle, type MessageSignatureBundle } from "../schema/bundle.js";
import type { LogEntry } from "../schema/rekor.js";
import { TlogError } from "./errors.js";

const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

function base64ToHex(b64: string, bytes: number, field: string): string {
  const raw = Buffer.from(b64, "base64");
  if (raw.byteLength !== bytes || raw.toString("base64") !== b64) throw new TlogError("ENTRY_INVALID", `${field} is not the standard base64 of ${bytes} bytes`);
  return raw.toString("hex");
}

/** The kind and version an entry body declares (`{"apiVersion", "kind", ...}`). */
export function bodyKind(body: Uint8Array): { kind: string; version: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw new TlogError("ENTRY_KIND", "the entry body is not JSON");
  }
  const { kind, apiVersion } = (parsed ?? {}) as { kind?: unknown; apiVersion?: unknown };
  if (typeof kind !== "string" || typeof apiVersion !== "string") throw new TlogError("ENTRY_KIND", "the entry body has no kind and apiVersion");
  return { kind, version: apiVersion };
}

/**
 * A Rekor v1 entry as the tlog entry of a Sigstore bundle (protobuf JSON: int64 as strings, hashes
 * and ids in base64). Rekor's entry id has no place in a bundle; its tree id stays readable in the
 * checkpoint origin.
 */
export function bundleTlogEntry(entry: LogEntry): BundleTlogEntry {
  const proof = entry.verification.inclusionProof;
  const set = entry.verification.signedEntryTimestamp;
  if (proof === undefined || set === undefined) throw new TlogError("INCLUSION_PROOF", "a bundle needs the entry's SET and inclusion proof");
  const { kind, version } = bodyKind(Buffer.from(entry.body, "base64"));
  return {
    logIndex: String(entry.logIndex),
    logId: { keyId: hexToBase64(entry.logID) },
    kindVersion: { kind, version },
    integratedTime: String(entry.integratedTime),
    inclusionPromise: { signedEntryTimestamp: set },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: hexToBase64(proof.rootHash),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map(hexToBase64),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: entry.body,
  };
}

/** A message-signature bundle v0.3 for an artifact signed with a caller-held key. */
export function messageSignatureBundle(entry: LogEntry, artifactSha256: Uint8Array, signature: Uint8Array, keyHint: string): MessageSignatureBundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint }, tlogEntries: [bundleTlogEntry(entry)] },
    messageSignature: {
      messageDigest: { algorithm: "SHA2_256", digest: Buffer.from(artifactSha256).toString("base64") },
      signature: Buffer.from(signature).toString("base64"),
    },
  };
}

/** A bundle's tlog entry back in Rekor's LogEntry form, plus the kind/version the bundle declares. */
export function logEntryFromBundle(tle: BundleTlogEntry): { entry: LogEntry; declared: { kind: string; version: string } } {
  const proof = tle.inclusionProof;
  const entry: LogEntry = {
    body: tle.canonicalizedBody,
    integratedTime: Number(tle.integratedTime),
    logID: base64ToHex(tle.logId.keyId, 32, "logId.keyId"),
    logIndex: Number(tle.logIndex),
    verification: {
      ...(tle.inclusionPromise ? { signedEntryTimestamp: tle.inclusionPromise.signedEntryTimestamp } : {}),
      ...(proof
        ? {
            inclusionProof: {
              logIndex: Number(proof.logIndex),
              rootHash: base64ToHex(proof.rootHash, 32, "inclusionProof.rootHash"),
              treeSize: Number(proof.treeSize),
              hashes: proof.hashes.map((h, i) => base64ToHex(h, 32, `inclusionProof.hashes[${i}]`)),
              checkpoint: proof.checkpoint.envelope,
            },
          }
        : {}),
    },
  };
  return { entry, declared: tle.kindVersion };
}

/** cosign's `{SignedEntryTimestamp, Payload}`: an entry without inclusion proof. */
export function logEntryFromCosign(bundle: CosignRekorBundle): LogEntry {
  const { body, integratedTime, logID, logIndex } = bundle.Payload;
  return { body, integratedTime, logID, logIndex, verification: { signedEntryTimestamp: bundle.SignedEntryTimestamp } };
}
