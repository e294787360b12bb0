import { closeSync } from "node:fs";
import { hashFile } from "../util/hash-file.js";
import { printable } from "../util/printable.js";
import { progressBar, type Progress } from "../util/progress.js";
import type { DigestAlgorithm } from "../util/digest.js";
import { asInputError, openInput } from "./input.js";

/** Streams a named input file through the requested digests, with a progress bar on a terminal. */
export async function digestInputFile<A extends DigestAlgorithm>(
  option: string,
  path: string,
  algorithms: readonly A[],
): Promise<{ digests: Record<A, Uint8Array>; size: number }> {
  const { fd } = asInputError(option, path, () => openInput(path));
  let progress: Progress | undefined;
  try {
    const result = await hashFile(fd, algorithms, (done, total) => {
      progress ??= progressBar(`hashing ${printable(path)}`, total);
      progress.update(done);
    });
    progress?.finish();
    return result;
  } catch (err) {
    progress?.abort();
    return asInputError(option, path, () => {
      throw err;
    });
  } finally {
    closeSync(fd);
  }
}
