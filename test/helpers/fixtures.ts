import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Large and small real fixtures, provisioned by `npm run fixtures` with the layout of ../shared/fixtures. */
export const FIXTURES = resolve(ROOT, process.env["REFTRAIL_FIXTURES"] ?? ".fixtures");
/** Small fixtures committed with the tests. */
export const COMMITTED = join(ROOT, "test/fixtures");
export const SHARED = resolve(ROOT, "../shared/fixtures");

export function fixturePath(relative: string): string {
  const path = join(FIXTURES, relative);
  if (!existsSync(path)) throw new Error(`fixture ${relative} missing: run 'npm run fixtures'`);
  return path;
}

export function readFixture(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(relative)));
}
