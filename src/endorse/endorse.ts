import { join } from "node:path";
import { EndorsementStatement } from "../schema/endorsement.js";
import type { ComponentValues, ReferenceValues } from "../schema/reference-values.js";
import { canonicalJson } from "../util/canonical-json.js";
import { EndorseError } from "./errors.js";
import { createEndorsementDir, endorsementPath, readEndorsementFile } from "./files.js";
import { keyIdOf, parsePublicKey, publicKeyPem, sameKey, type ComponentKeyPair } from "../keys/component-keys.js";
import { verifyStatementSignature } from "../keys/signature.js";
import { signStatement } from "./sign.js";
import { signableStatement, type EndorsementTimes } from "./statement.js";

export interface EndorsedComponent {
  readonly component: string;
  readonly dir: string;
  readonly keyId: string;
  /** "unchanged": the folder already held a valid endorsement of the same values by this key. */
  readonly status: "signed" | "unchanged";
  readonly issuedOn: string;
  readonly notAfter: string;
}

/**
 * Signs the endorsement of one component into `<outDir>/<component>/`. An existing endorsement is
 * never re-signed: if it endorses the same subject, claims and reference values with the same key
 * it is kept as it is (re-running a release is a no-op); anything else is refused.
 */
export function endorseComponent(outDir: string, release: ReferenceValues["release"], component: ComponentValues, key: ComponentKeyPair, times: EndorsementTimes): EndorsedComponent {
  const dir = join(outDir, component.name);
  const keyId = keyIdOf(key.publicKey);
  const existing = readEndorsementFile(dir, "statement");
  if (existing !== undefined) return keepExisting(dir, existing, release, component, key, keyId);
  const { statement, bytes } = signableStatement(release, component, times);
  const signature = signStatement(bytes, key.privateKey, key.publicKey);
  createEndorsementDir(dir, { statement: bytes, signature, publicKey: publicKeyPem(key.publicKey) });
  return { component: component.name, dir, keyId, status: "signed", issuedOn: statement.predicate.issuedOn, notAfter: statement.predicate.validity.notAfter };
}

function keepExisting(dir: string, bytes: Buffer, release: ReferenceValues["release"], component: ComponentValues, key: ComponentKeyPair, keyId: string): EndorsedComponent {
  const refuse = (why: string) =>
    new EndorseError("ENDORSEMENT_EXISTS", `${why}; refusing to replace a published endorsement (choose another --out, or remove the folder if it was never published)`, dir);
  const signature = readEndorsementFile(dir, "signature");
  const pem = readEndorsementFile(dir, "publicKey");
  if (signature === undefined || pem === undefined) throw refuse(`holds ${endorsementPath(dir, "statement")} without its signature or public key`);
  let storedKey;
  try {
    storedKey = parsePublicKey(pem.toString("utf8"), endorsementPath(dir, "publicKey"));
  } catch {
    throw refuse(`${endorsementPath(dir, "publicKey")} is not a P-256 public key`);
  }
  if (!sameKey(storedKey, key.publicKey)) throw refuse("was signed with another key");
  if (!verifyStatementSignature(bytes, signature, key.publicKey)) throw refuse("holds a signature that does not verify");
  let parsed: EndorsementStatement;
  try {
    parsed = EndorsementStatement.parse(JSON.parse(bytes.toString("utf8")));
  } catch {
    throw refuse("holds a statement reftrail did not write");
  }
  const same =
    canonicalJson(parsed.predicate.reftrail ?? null) === canonicalJson({ version: 1, release, component }) &&
    canonicalJson(parsed.subject) === canonicalJson([{ name: component.subject.name, digest: component.subject.digest }]) &&
    canonicalJson(parsed.predicate.claims) === canonicalJson(component.claims.map((type) => ({ type })));
  if (!same) throw refuse("endorses other reference values");
  return { component: component.name, dir, keyId, status: "unchanged", issuedOn: parsed.predicate.issuedOn, notAfter: parsed.predicate.validity.notAfter };
}
