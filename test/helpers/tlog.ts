import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProposedEntry } from "../../src/schema/rekor.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `reftrail-${prefix}-`));
}

export interface Signer {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly pem: string;
}

export function newSigner(curve: "P-256" | "P-384" = "P-256"): Signer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
  return { privateKey, publicKey, pem: publicKey.export({ type: "spki", format: "pem" }) as string };
}

/** A hashedrekord proposal for `artifact`, signed as a release pipeline would sign it. */
export function hashedRekord(signer: Signer, artifact: Uint8Array, kind: "hashedrekord" | "rekord" = "hashedrekord"): ProposedEntry {
  const signature = sign(signer.privateKey.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "sha384" : "sha256", artifact, signer.privateKey);
  const algorithm = signer.privateKey.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "sha384" : "sha256";
  const value = createHash(algorithm).update(artifact).digest("hex");
  const publicKey = { content: Buffer.from(signer.pem).toString("base64") };
  return kind === "hashedrekord"
    ? { kind, apiVersion: "0.0.1", spec: { data: { hash: { algorithm, value } }, signature: { content: signature.toString("base64"), publicKey } } }
    : { kind, apiVersion: "0.0.1", spec: { data: { hash: { algorithm, value } }, signature: { format: "x509", content: signature.toString("base64"), publicKey } } };
}

/**
 * Per-file scratch space: `scratch(prefix)` makes a temp dir, `cleanup` collects anything else to
 * release; all of it goes after the file's last test (in reverse order).
 */
export function scratchSpace(): { cleanup: (() => void | Promise<unknown>)[]; scratch: (prefix: string) => string } {
  const cleanup: (() => void | Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });
  return {
    cleanup,
    scratch(prefix) {
      const dir = tempDir(prefix);
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
