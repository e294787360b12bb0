import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { COMMITTED, SHARED } from "./helpers/fixtures.js";

/** Every committed fixture file, relative to test/fixtures (the README itself excepted). */
function committedFiles(dir = COMMITTED): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return committedFiles(path);
    const rel = relative(COMMITTED, path);
    return rel === "README.md" ? [] : [rel];
  });
}

/** Copies kept under another path than in ../shared/fixtures. */
const RENAMED: Record<string, string> = { "sigstore/oak/rekor_public_key.pem": "oak/oak_attestation_verification/testdata/rekor_public_key.pem" };

/** The committed copies must stay byte-identical to ../shared/fixtures wherever that is present. */
describe.runIf(existsSync(SHARED))("test/fixtures copies of ../shared/fixtures", () => {
  for (const rel of committedFiles()) {
    it(rel, () => {
      const committed = readFileSync(join(COMMITTED, rel));
      const original = RENAMED[rel] ?? (rel.endsWith(".gz") ? rel.slice(0, -3) : rel);
      const bytes = rel.endsWith(".gz") ? gunzipSync(committed) : committed;
      expect(Buffer.compare(bytes, readFileSync(join(SHARED, original)))).toBe(0);
    });
  }
});

describe("test/fixtures/README.md", () => {
  it("names the origin of every committed fixture file (or of its folder)", () => {
    const readme = readFileSync(join(COMMITTED, "README.md"), "utf8");
    for (const rel of committedFiles()) {
      const parts = rel.split("/");
      const named = parts.some((_, i) => readme.includes(`\`${parts.slice(0, parts.length - i).join("/")}`)) || readme.includes(parts[parts.length - 1]!);
      expect(named, rel).toBe(true);
    }
  });
});
