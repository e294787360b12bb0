import { createPublicKey, type KeyObject } from "node:crypto";
import type { ComponentKey } from "../../endorse/registry.js";
import { keyIdOf } from "../../endorse/keys.js";
import { KeyType, type VerifyingKeySet } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";

/**
 * The P-256 keys of a reference values' VerifyingKeySet (SPKI DER). reftrail verifies ECDSA P-256
 * only, as Oak does for every log key; RSA endorser keys and undecodable keys are reported, not
 * used, so a set with no usable key verifies nothing.
 */
export function p256Keys(set: VerifyingKeySet, where: string): { keys: KeyObject[]; problems: string[] } {
  const keys: KeyObject[] = [];
  const problems: string[] = [];
  for (const [i, k] of set.keys.entries()) {
    if (k.type !== KeyType.ECDSA_P256_SHA256) {
      problems.push(`${where}.keys[${i}] has type ${KeyType[k.type] ?? k.type}, not ECDSA P-256 (unsupported)`);
      continue;
    }
    try {
      const key = createPublicKey({ key: Buffer.from(k.raw), format: "der", type: "spki" });
      if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error("not P-256");
      keys.push(key);
    } catch {
      problems.push(`${where}.keys[${i}] is not a P-256 SubjectPublicKeyInfo`);
    }
  }
  return { keys, problems };
}

export function componentKeys(set: VerifyingKeySet, where: string): { keys: ComponentKey[]; problems: string[] } {
  const { keys, problems } = p256Keys(set, where);
  return { keys: keys.map((key, i) => ({ key, keyId: keyIdOf(key), source: `${where}.keys[${i}]` })), problems };
}
