import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Digests computed by the system's own tools (coreutils, OpenSSL), independent of reftrail's code. */
export function opensslDigest(algorithm: "sha256" | "sha384" | "sha512", path: string): string {
  const out = execFileSync("openssl", ["dgst", `-${algorithm}`, "-r", path], { encoding: "utf8" });
  return out.split(" ")[0]!;
}

export function sha256sum(path: string): string {
  return execFileSync("sha256sum", [path], { encoding: "utf8" }).split(" ")[0]!;
}

/** sha256sum of bytes, through a temporary file. */
export function sha256sumOf(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), "reftrail-sha-")), "data");
  writeFileSync(path, bytes);
  return sha256sum(path);
}
