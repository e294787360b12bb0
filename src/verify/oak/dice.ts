import { createHash, type KeyObject } from "node:crypto";
import type { Evidence } from "../../schema/oak/gen/proto/attestation/evidence_pb.js";
import { checkResult, type CheckResult } from "../../schema/verdict.js";
import { toHex } from "../../util/bytes.js";
import { parseCoseKey, parseCoseSign1, verifyCoseSign1, verifyingKey } from "./cose.js";
import { parseDiceClaims, type DiceClaims } from "./cwt.js";
import { OakInputError } from "./errors.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
/** external_aad: Oak's domain separation first, then empty (certificates made before it existed; every real vector). */
const LAYER_AADS = [utf8("oak-dice-layer-v1"), new Uint8Array()];
const APPLICATION_KEY_AADS = [utf8("oak-application-keys-v1"), new Uint8Array()];

export const DICE_CHECKS = {
  DICE_ROOT_KEY: "eca_public_key is a COSE_Key for ES256 on P-256 (the key the report binds)",
  DICE_LAYER_SIGNATURES: "each layer certificate is signed by the previous layer's key, the first by the root ECA key",
  APPLICATION_KEYS: "the application key certificates are signed by the last layer's key and carry the expected key types",
  EVENT_BINDING: "every event is bound by its SHA-256 in the DICE certificates (one per layer; the restricted kernel's last in the encryption key certificate)",
} as const;

const aadName = (aad: Uint8Array) => (aad.byteLength ? `external_aad "${Buffer.from(aad).toString()}"` : "empty external_aad");

/** A certificate's claims once its signature holds (parsing it is an input error if it is not COSE/CWT). */
function verifiedClaims(bytes: Uint8Array, key: KeyObject, aads: readonly Uint8Array[], what: string): { claims: DiceClaims; aad: Uint8Array | undefined } {
  const sign1 = parseCoseSign1(bytes, what);
  const claims = parseDiceClaims(sign1.payload, what);
  return { claims, aad: verifyCoseSign1(sign1, key, aads) };
}

export interface DiceOutcome {
  readonly checks: readonly CheckResult[];
}

const notRun = (check: keyof typeof DICE_CHECKS, why: string) => checkResult.notRun(check, DICE_CHECKS[check], why);
const failed = (check: keyof typeof DICE_CHECKS, why: string, expected?: string, actual?: string) => checkResult.failed(check, DICE_CHECKS[check], why, expected, actual);
const passed = (check: keyof typeof DICE_CHECKS, actual: string, expected?: string) => checkResult.passed(check, DICE_CHECKS[check], actual, expected);

/**
 * Walks Oak's DICE chain from the root ECA key: layer certificates, application key certificates,
 * and the binding of each event to a certificate by its SHA-256 (over the received bytes, never a
 * re-encoding). Malformed certificates are input errors; a signature or digest that does not hold
 * is a failed check, and what depends on it is not run.
 */
export function verifyDice(evidence: Evidence): DiceOutcome {
  const checks: CheckResult[] = [];
  const root = evidence.rootLayer!;
  let key: KeyObject;
  try {
    key = verifyingKey(root.ecaPublicKey, "root_layer.eca_public_key");
  } catch (err) {
    if (!(err instanceof OakInputError)) throw err;
    return { checks: [failed("DICE_ROOT_KEY", err.message), notRun("DICE_LAYER_SIGNATURES", "no root key"), notRun("APPLICATION_KEYS", "no root key"), notRun("EVENT_BINDING", "no root key")] };
  }
  checks.push(passed("DICE_ROOT_KEY", "EC2 P-256 ES256 verify key"));

  const layerClaims: DiceClaims[] = [];
  const aads = new Set<string>();
  for (const [i, layer] of evidence.layers.entries()) {
    const { claims, aad } = verifiedClaims(layer.ecaCertificate, key, LAYER_AADS, `layers[${i}].eca_certificate`);
    if (aad === undefined) {
      checks.push(failed("DICE_LAYER_SIGNATURES", `layers[${i}].eca_certificate is not signed by the ${i === 0 ? "root ECA key" : `key certified by layers[${i - 1}]`}`));
      return { checks: [...checks, notRun("APPLICATION_KEYS", "the layer chain did not verify"), notRun("EVENT_BINDING", "the layer chain did not verify")] };
    }
    aads.add(aadName(aad));
    layerClaims.push(claims);
    key = verifyingKey(claims.subjectPublicKey, `layers[${i}].eca_certificate SUBJECT_PUBLIC_KEY`);
  }
  if (layerClaims.length === 0) checks.push(failed("DICE_LAYER_SIGNATURES", "the evidence has no DICE layers"));
  else checks.push(passed("DICE_LAYER_SIGNATURES", `${layerClaims.length} layer certificate${layerClaims.length > 1 ? "s" : ""} (${[...aads].join(", ")})`));

  // Application keys: signed by the last layer key; the group keys too when present.
  const app = evidence.applicationKeys;
  let encryptionClaims: DiceClaims | undefined;
  if (app === undefined || app.encryptionPublicKeyCertificate.byteLength === 0 || app.signingPublicKeyCertificate.byteLength === 0) {
    checks.push(failed("APPLICATION_KEYS", "the evidence has no application key certificates (encryption and signing)"));
  } else {
    const certificates = [
      { name: "encryption", bytes: app.encryptionPublicKeyCertificate, field: "encryption_public_key_certificate", kind: "okp-x25519-wrap" },
      { name: "signing", bytes: app.signingPublicKeyCertificate, field: "signing_public_key_certificate", kind: "ec2-p256-verify" },
      { name: "group encryption", bytes: app.groupEncryptionPublicKeyCertificate, field: "group_encryption_public_key_certificate", kind: "okp-x25519-wrap" },
      { name: "group signing", bytes: app.groupSigningPublicKeyCertificate, field: "group_signing_public_key_certificate", kind: "ec2-p256-verify" },
    ] as const;
    const problems: string[] = [];
    const verified: string[] = [];
    for (const cert of certificates) {
      if (cert.bytes.byteLength === 0) continue;
      const what = `application_keys.${cert.field}`;
      const { claims, aad } = verifiedClaims(cert.bytes, key, APPLICATION_KEY_AADS, what);
      if (aad === undefined) problems.push(`the ${cert.name} key certificate is not signed by the last layer's key`);
      else if (parseCoseKey(claims.subjectPublicKey, `${what} SUBJECT_PUBLIC_KEY`).kind !== cert.kind) problems.push(`the ${cert.name} key is not ${cert.kind === "okp-x25519-wrap" ? "an X25519 key-wrapping key" : "a P-256 verification key"}`);
      else {
        verified.push(cert.name);
        if (cert.name === "encryption") encryptionClaims = claims;
      }
    }
    if (problems.length) {
      encryptionClaims = undefined;
      checks.push(failed("APPLICATION_KEYS", problems.join("; ")));
    } else checks.push(passed("APPLICATION_KEYS", `${verified.join(", ")} key certificates`));
  }

  checks.push(eventBinding(evidence, layerClaims, encryptionClaims, checks.some((c) => c.status !== "passed")));
  return { checks };
}

function eventBinding(evidence: Evidence, layers: readonly DiceClaims[], encryption: DiceClaims | undefined, chainBroken: boolean): CheckResult {
  const events = evidence.eventLog?.encodedEvents ?? [];
  if (chainBroken && layers.length === 0) return notRun("EVENT_BINDING", "no verified layer certificates");
  if (events.length === 0) return failed("EVENT_BINDING", "the evidence has no event log (legacy CWT layer maps are not supported)");
  // The restricted kernel: one layer and two events, the second bound in the encryption key certificate.
  const binders: { claims: DiceClaims | undefined; where: string }[] = layers.map((claims, i) => ({ claims, where: `layers[${i}]` }));
  if (layers.length === 1 && events.length === 2) binders.push({ claims: encryption, where: "application_keys.encryption_public_key_certificate" });
  if (binders.length !== events.length) return failed("EVENT_BINDING", `${events.length} events for ${layers.length} DICE layers`, `${layers.length} events`, `${events.length} events`);
  for (const [i, event] of events.entries()) {
    const { claims, where } = binders[i]!;
    const digest = createHash("sha256").update(event).digest();
    if (claims === undefined) return notRun("EVENT_BINDING", `event ${i} is bound in ${where}, which did not verify`);
    if (claims.eventDigest === undefined) return failed("EVENT_BINDING", `${where} names no event digest (EVENT_ID)`);
    if (Buffer.compare(claims.eventDigest, digest) !== 0) {
      return failed("EVENT_BINDING", `event ${i}'s SHA-256 is not the digest ${where} certifies`, toHex(claims.eventDigest), toHex(digest));
    }
  }
  return passed("EVENT_BINDING", `${events.length} events, each SHA-256 certified`);
}
