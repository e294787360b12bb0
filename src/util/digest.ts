import { createHash, hash, type Hash } from "node:crypto";

/**
 * Digests over bytes. node:crypto (OpenSSL, SHA-NI where the CPU has it) rather than a JavaScript
 * implementation: the launch digest hashes every 4 KiB page of the firmware and the kernel-hashes
 * table hashes whole kernels, so throughput decides whole-process time.
 */
export type DigestAlgorithm = "sha256" | "sha384" | "sha512";

export function digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return hash(algorithm, data, "buffer");
}

export const sha256 = (data: Uint8Array): Uint8Array => digest("sha256", data);
export const sha384 = (data: Uint8Array): Uint8Array => digest("sha384", data);

export function incrementalDigest(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}
