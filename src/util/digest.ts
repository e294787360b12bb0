import { createHash, hash, type Hash } from "node:crypto";

/**
 * Digests over bytes. node:crypto (OpenSSL, SHA-NI where the CPU has it) rather than a JavaScript
 * implementation: the launch digest hashes every 4 KiB page of the firmware and the kernel-hashes
 * table hashes whole kernels, so throughput decides whole-process time.
 */
export type DigestAlgorithm = "sha256" | "sha384" | "sha512";

/** Digests of one byte string by algorithm. */
export type Digests = Partial<Record<DigestAlgorithm, Uint8Array>>;

export function digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return hash(algorithm, data, "buffer");
}

export const sha256 = (data: Uint8Array): Uint8Array => digest("sha256", data);
export const sha384 = (data: Uint8Array): Uint8Array => digest("sha384", data);

export function incrementalDigest(algorithm: DigestAlgorithm): Hash {
  return createHash(algorithm);
}

/** SHA-256 first, then the other requested algorithms: every reference value has a SHA-256. */
export function withSha256(algorithms: readonly DigestAlgorithm[]): DigestAlgorithm[] {
  return ["sha256", ...algorithms.filter((a) => a !== "sha256")];
}

export function digestsOf(bytes: Uint8Array, algorithms: readonly DigestAlgorithm[]): Digests {
  return Object.fromEntries(algorithms.map((a) => [a, digest(a, bytes)]));
}

/** Digests as lower-case hex by algorithm (an in-toto DigestSet). */
export function hexDigests(digests: Digests): Record<string, string> {
  return Object.fromEntries(Object.entries(digests).map(([a, d]) => [a, Buffer.from(d).toString("hex")]));
}
