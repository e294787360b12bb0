import { createHash, X509Certificate, createPublicKey, type KeyObject } from "node:crypto";
import { toHex } from "../../util/bytes.js";
import { canonicalJson } from "../../util/canonical-json.js";
import type { ProposedEntry } from "../../schema/rekor.js";
import { TlogError } from "../errors.js";
import { verificationKey, verifyPrehashed, type VerificationKey } from "../prehashed.js";

/** An entry accepted for logging: its canonical body (the Merkle leaf data) and search keys. */
export interface CanonicalEntry {
  readonly kind: "hashedrekord" | "rekord";
  readonly body: Uint8Array;
  /** `sha256:<hex>` of the artifact and `key:<hex SHA-256 of SPKI DER>` of the signer. */
  readonly searchKeys: readonly string[];
}

/** The key in an entry, parsed once: its canonical PEM, search key and verification form. */
export interface EntryKey {
  readonly key: KeyObject;
  readonly canonicalPem: string;
  readonly searchKey: string;
  readonly verification: VerificationKey;
}

const KEY_CACHE_SIZE = 1024;
const keyCache = new Map<string, EntryKey>();

function parseEntryKey(pemBase64: string): EntryKey {
  const pem = Buffer.from(pemBase64, "base64").toString("utf8");
  let key: KeyObject;
  let canonicalPem: string;
  if (pem.includes("BEGIN CERTIFICATE")) {
    try {
      const cert = new X509Certificate(pem);
      key = cert.publicKey;
      canonicalPem = cert.toString();
    } catch {
      throw new TlogError("ENTRY_KEY", "publicKey.content is not a valid PEM certificate");
    }
  } else {
    try {
      key = createPublicKey(pem);
      canonicalPem = key.export({ type: "spki", format: "pem" }) as string;
    } catch {
      throw new TlogError("ENTRY_KEY", "publicKey.content is not a valid PEM public key or certificate");
    }
  }
  const verification = verificationKey(key);
  return { key, canonicalPem, verification, searchKey: `key:${toHex(createHash("sha256").update(verification.spki).digest())}` };
}

/**
 * The key in an entry: a PEM public key or a PEM certificate (its subject key), re-encoded
 * canonically. Parsed keys are kept (a bounded cache): a log sees the same release keys repeatedly.
 */
export function entryKey(pemBase64: string): EntryKey {
  const cached = keyCache.get(pemBase64);
  if (cached) return cached;
  const parsed = parseEntryKey(pemBase64);
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(pemBase64, parsed);
  return parsed;
}

/**
 * Validates a proposed entry as Rekor does (the signature must verify with the key in the entry over
 * the digest it names) and returns the body Rekor would store: RFC 8785 JSON with the key PEM and
 * signature re-encoded canonically. The same proposal always yields the same body, hence the same
 * leaf: that is how duplicates are recognised.
 */
export function canonicalizeEntry(entry: ProposedEntry): CanonicalEntry {
  const { spec } = entry;
  const signature = Buffer.from(spec.signature.content, "base64");
  const { key, canonicalPem, verification, searchKey } = entryKey(spec.signature.publicKey.content);
  const digest = Buffer.from(spec.data.hash.value, "hex");
  const result = verifyPrehashed(verification, digest, signature);
  if (result === "unsupported-key") {
    throw new TlogError("ENTRY_KEY", `keys of type ${key.asymmetricKeyType} cannot verify a signature over a digest (use ECDSA or RSA)`);
  }
  if (result === "invalid") throw new TlogError("ENTRY_SIGNATURE", "the signature does not verify with the entry's public key over the given digest");
  const hash = { algorithm: spec.data.hash.algorithm, value: spec.data.hash.value.toLowerCase() };
  const signatureSpec = {
    content: signature.toString("base64"),
    ...(entry.kind === "rekord" ? { format: "x509" } : {}),
    publicKey: { content: Buffer.from(canonicalPem).toString("base64") },
  };
  const body = canonicalJson({ apiVersion: "0.0.1", kind: entry.kind, spec: { data: { hash }, signature: signatureSpec } });
  return { kind: entry.kind, body: Buffer.from(body), searchKeys: [`${hash.algorithm}:${hash.value}`, searchKey] };
}

/** The fields of a stored hashedrekord or rekord body that verifiers need. */
export interface ParsedBody {
  readonly kind: "hashedrekord" | "rekord";
  readonly hashAlgorithm: string;
  readonly hashValue: string;
  readonly signature: Uint8Array;
  readonly publicKeyPem: string;
}

export function parseEntryBody(body: Uint8Array): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw new TlogError("ENTRY_INVALID", "entry body is not JSON");
  }
  const b = json as { kind?: unknown; apiVersion?: unknown; spec?: { data?: { hash?: { algorithm?: unknown; value?: unknown } }; signature?: { content?: unknown; publicKey?: { content?: unknown } } } };
  if ((b.kind !== "hashedrekord" && b.kind !== "rekord") || b.apiVersion !== "0.0.1") {
    throw new TlogError("ENTRY_KIND", `entry body kind ${String(b.kind)} ${String(b.apiVersion)} is not hashedrekord or rekord 0.0.1`);
  }
  const hash = b.spec?.data?.hash;
  const sig = b.spec?.signature;
  if (typeof hash?.algorithm !== "string" || typeof hash.value !== "string" || typeof sig?.content !== "string" || typeof sig.publicKey?.content !== "string") {
    throw new TlogError("ENTRY_INVALID", "entry body lacks data.hash or signature content and public key");
  }
  return {
    kind: b.kind,
    hashAlgorithm: hash.algorithm,
    hashValue: hash.value,
    signature: new Uint8Array(Buffer.from(sig.content, "base64")),
    publicKeyPem: Buffer.from(sig.publicKey.content, "base64").toString("utf8"),
  };
}
