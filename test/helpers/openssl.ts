import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

let available: boolean | undefined;

/**
 * Skips the running test, with the reason, where the openssl CLI (the independent implementation
 * some tests check reftrail's output with) is not installed.
 */
export function requireOpenssl(ctx: { skip(note?: string): void }): void {
  if (available === undefined) {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      available = true;
    } catch {
      available = false;
    }
  }
  if (!available) ctx.skip("the openssl CLI is not installed: this independent check cannot run");
}

/** Runs the openssl CLI in `dir`, returning its stdout. */
export function openssl(args: readonly string[], dir: string): string {
  return execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The extensions of a certificate as `openssl asn1parse` lists them: OID → extnValue content, hex.
 * (An independent reading of what reftrail wrote; `x509 -text` prints AMD's private extensions raw.)
 */
export function opensslExtensions(pemFile: string, dir: string): Map<string, string> {
  const lines = openssl(["asn1parse", "-in", pemFile], dir).split("\n");
  const found = new Map<string, string>();
  lines.forEach((line, i) => {
    const oid = /OBJECT\s+:(\d+(?:\.\d+)+)\s*$/.exec(line)?.[1];
    if (oid === undefined) return;
    // extnID, then optionally critical (BOOLEAN), then the OCTET STRING.
    const next = /BOOLEAN/.test(lines[i + 1] ?? "") ? lines[i + 2] : lines[i + 1];
    const value = /OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]*)/.exec(next ?? "")?.[1];
    if (value !== undefined) found.set(oid, value.toLowerCase());
  });
  return found;
}

/**
 * Whether `openssl dgst -sha384 -verify` accepts a report's signature with the public key in
 * `publicKeyPem`, the signature rebuilt as DER from the report's little-endian 72-byte R and S
 * fields (sev-snp-report.md §6.1), written here independently of reftrail's parser.
 */
export function opensslVerifiesReport(report: Uint8Array, publicKeyPem: string, dir: string): boolean {
  const integer = (off: number) => {
    let be = Buffer.from(report.subarray(off, off + 48)).reverse();
    while (be.length > 1 && be[0] === 0 && !(be[1]! & 0x80)) be = be.subarray(1);
    if (be[0]! & 0x80) be = Buffer.concat([Buffer.of(0), be]);
    return Buffer.concat([Buffer.of(0x02, be.length), be]);
  };
  const body = Buffer.concat([integer(0x2a0), integer(0x2e8)]);
  writeFileSync(join(dir, "report-sig.der"), Buffer.concat([Buffer.of(0x30, body.length), body]));
  writeFileSync(join(dir, "report-signed.bin"), report.subarray(0, 0x2a0));
  writeFileSync(join(dir, "report-key.pem"), publicKeyPem);
  try {
    return openssl(["dgst", "-sha384", "-verify", "report-key.pem", "-signature", "report-sig.der", "report-signed.bin"], dir).trim() === "Verified OK";
  } catch {
    return false;
  }
}
