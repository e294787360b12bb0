import { hashFile } from "../util/hash-file.js";
import { progressBar } from "../util/progress.js";
import type { DigestAlgorithm } from "../util/digest.js";
import { InputError } from "./errors.js";
import { checkInputFile, describeFileError, fileSubject } from "./input.js";

/** Streams a named input file through the requested digests, with a progress bar on a terminal. */
export async function digestInputFile<A extends DigestAlgorithm>(
  option: string,
  path: string,
  algorithms: readonly A[],
): Promise<{ digests: Record<A, Uint8Array>; size: number }> {
  checkInputFile(option, path);
  let progress: ReturnType<typeof progressBar> | undefined;
  try {
    const result = await hashFile(path, algorithms, (done, total) => {
      progress ??= progressBar(`hashing ${path}`, total);
      progress.update(done);
    });
    progress?.finish();
    return result;
  } catch (err) {
    const { code, message } = describeFileError(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}
