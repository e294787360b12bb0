import { open } from "node:fs/promises";
import { createHash } from "node:crypto";
import type { DigestAlgorithm } from "./digest.js";

const CHUNK = 1 << 20;

/**
 * Digests of a file in one read pass, every algorithm fed from the same reused buffer, so memory
 * stays flat whatever the file size. `onProgress` receives the bytes read so far.
 */
export async function hashFile<A extends DigestAlgorithm>(
  path: string,
  algorithms: readonly A[],
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): Promise<{ digests: Record<A, Uint8Array>; size: number }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const hashes = algorithms.map((a) => createHash(a));
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      for (const h of hashes) h.update(chunk);
      total += bytesRead;
      onProgress?.(total, size);
    }
    const digests = Object.fromEntries(algorithms.map((a, i) => [a, new Uint8Array(hashes[i]!.digest())])) as Record<A, Uint8Array>;
    return { digests, size: total };
  } finally {
    await handle.close();
  }
}
