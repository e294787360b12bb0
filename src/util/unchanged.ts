import type { Stats } from "node:fs";
import { ReftrailError } from "./errors.js";

/**
 * Size and change times before and after reading a file must agree (and a regular file must have
 * yielded all its bytes), or the bytes read were never a version of the file: refuse them.
 */
export function assertUnchanged(before: Stats, after: Stats, bytesRead: number): void {
  const same = before.size === after.size && before.mtimeMs === after.mtimeMs && before.ctimeMs === after.ctimeMs;
  if (!same || (before.isFile() && bytesRead !== before.size)) {
    throw new ReftrailError("FILE_CHANGED", "changed while it was being read: measure it again once it is complete");
  }
}
