import { createPublicKey, type KeyObject } from "node:crypto";
import { keyIdOf } from "../../keys/component-keys.js";
import type { ComponentKey } from "../../keys/registry.js";
import { KeyType, type VerifyingKeySet } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import { logIdentity, type LogIdentity } from "../../tlog/keys.js";

/**
 * Keys read from SPKI DER, by their bytes. Reference values name the same few keys in every
 * verification; importing a key and deriving its ids costs more than the signature it checks, so
 * a verifier process reads each once (bounded, for a long-running service fed many key sets).
 */
const MAX_CACHED = 1024;
interface ParsedKey {
  readonly key: KeyObject;
  readonly keyId: string;
  identity?: LogIdentity;
}
const cache = new Map<string, ParsedKey | undefined>();

function parseP256(raw: Uint8Array): ParsedKey | undefined {
  const id = Buffer.from(raw).toString("base64");
  if (cache.has(id)) return cache.get(id);
  let parsed: ParsedKey | undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(raw), format: "der", type: "spki" });
    parsed = key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? { key, keyId: keyIdOf(key) } : undefined;
  } catch {
    parsed = undefined;
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(id, parsed);
  return parsed;
}

/**
 * The P-256 keys of a reference values' VerifyingKeySet (SPKI DER). reftrail verifies ECDSA P-256
 * only, as Oak does for every log key; RSA endorser keys and undecodable keys are reported, not
 * used, so a set with no usable key verifies nothing.
 */
function p256Keys(set: VerifyingKeySet, where: string): { keys: ParsedKey[]; problems: string[] } {
  const keys: ParsedKey[] = [];
  const problems: string[] = [];
  for (const [i, k] of set.keys.entries()) {
    if (k.type !== KeyType.ECDSA_P256_SHA256) {
      problems.push(`${where}.keys[${i}] has type ${KeyType[k.type] ?? k.type}, not ECDSA P-256 (unsupported)`);
      continue;
    }
    const parsed = parseP256(k.raw);
    if (parsed === undefined) problems.push(`${where}.keys[${i}] is not a P-256 SubjectPublicKeyInfo`);
    else keys.push(parsed);
  }
  return { keys, problems };
}

/** Endorser keys as the endorsement verifier takes them. */
export function componentKeys(set: VerifyingKeySet, where: string): { keys: ComponentKey[]; problems: string[] } {
  const { keys, problems } = p256Keys(set, where);
  return { keys: keys.map((k, i) => ({ key: k.key, keyId: k.keyId, source: `${where}.keys[${i}]` })), problems };
}

/** Rekor keys as log identities (the logID is SHA-256 of the key's SPKI DER). */
export function logKeys(set: VerifyingKeySet, where: string): { identities: LogIdentity[]; problems: string[] } {
  const { keys, problems } = p256Keys(set, where);
  return { identities: keys.map((k) => (k.identity ??= logIdentity(k.key))), problems };
}
