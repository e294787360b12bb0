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
/** Keyed by the SHA-256 of the submitted text, so a cache entry is small whatever was sent. */
const keyCache = new Map<string, EntryKey>();
/** A certificate chain's leaf rarely exceeds a few KiB; anything far larger is refused unparsed. */
const MAX_PEM_BYTES = 16 * 1024;

/** Exactly one PEM block, nothing but whitespace around it (node:crypto would ignore trailing bytes). */
function singlePemBlock(pem: string): string {
  const m = /^\s*(-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \2-----)\s*$/.exec(pem);
  if (!m) throw new TlogError("ENTRY_KEY", "publicKey.content must be exactly one PEM public key or certificate");
  if (m[2]!.includes("PRIVATE")) throw new TlogError("ENTRY_KEY", "publicKey.content holds a private key: submit only the public key");
  return `${m[1]}\n`;
}

/** RSA moduli below this are factorable with public effort; Sigstore's clients refuse them too. */
const MIN_RSA_BITS = 2048;

function checkKeyStrength(key: KeyObject): void {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if ((key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss") && (bits === undefined || bits < MIN_RSA_BITS)) {
    throw new TlogError("ENTRY_KEY", `publicKey.content is a ${bits ?? "?"}-bit RSA key: at least ${MIN_RSA_BITS} bits are required`);
  }
}

function parseEntryKey(pemBase64: string): EntryKey {
  if (pemBase64.length > (MAX_PEM_BYTES * 4) / 3 + 4) throw new TlogError("ENTRY_KEY", `publicKey.content exceeds ${MAX_PEM_BYTES} bytes`);
  const pem = singlePemBlock(Buffer.from(pemBase64, "base64").toString("utf8"));
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
  checkKeyStrength(key);
  const verification = verificationKey(key);
  return { key, canonicalPem, verification, searchKey: `key:${toHex(createHash("sha256").update(verification.spki).digest())}` };
}

/**
 * The key in an entry: a PEM public key or a PEM certificate (its subject key), re-encoded
 * canonically. Parsed keys are kept (a bounded cache): a log sees the same release keys repeatedly.
 */
export function entryKey(pemBase64: string): EntryKey {
  const id = createHash("sha256").update(pemBase64).digest("base64");
  const cached = keyCache.get(id);
  if (cached) return cached;
  const parsed = parseEntryKey(pemBase64);
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, parsed);
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
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new TlogError(
      "ENTRY_KEY",
      curve ? `ECDSA curve ${curve} is not supported (P-256, P-384, P-521)` : `keys of type ${key.asymmetricKeyType} cannot verify a signature over a digest (use ECDSA or RSA)`,
    );
  }
  if (result === "digest-too-long") {
    throw new TlogError("ENTRY_SIGNATURE", `a ${spec.data.hash.algorithm} digest is longer than the key's curve order: ECDSA would truncate it, so the entry would not pin the digest`);
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
