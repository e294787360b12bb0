import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { COMMITTED, SHARED } from "./helpers/fixtures.js";

/** The committed copies must stay byte-identical to ../shared/fixtures wherever that is present. */
describe.runIf(existsSync(SHARED))("test/fixtures copies of ../shared/fixtures", () => {
  const shared: Record<string, string> = { "sigstore/oak/rekor_public_key.pem": "oak/oak_attestation_verification/testdata/rekor_public_key.pem" };
  for (const dir of ["firmware", "kernel", "launch-digests", "sigstore", "sigstore/oak", "sigstore/conformance", "sigstore/conformance/managed-key-happy-path"]) {
    for (const name of readdirSync(join(COMMITTED, dir)).filter((n) => !statSync(join(COMMITTED, dir, n)).isDirectory())) {
      it(`${dir}/${name}`, () => {
        const committed = readFileSync(join(COMMITTED, dir, name));
        const original = name.endsWith(".gz") ? name.slice(0, -3) : name;
        const bytes = name.endsWith(".gz") ? gunzipSync(committed) : committed;
        expect(Buffer.compare(bytes, readFileSync(join(SHARED, shared[`${dir}/${name}`] ?? join(dir, original))))).toBe(0);
      });
    }
  }
});

describe("test/fixtures/README.md", () => {
  it("names the origin of every committed fixture file", () => {
    const readme = readFileSync(join(COMMITTED, "README.md"), "utf8");
    for (const dir of ["firmware", "kernel", "launch-digests", "sigstore", "sigstore/oak", "sigstore/conformance", "sigstore/conformance/managed-key-happy-path"]) {
      for (const name of readdirSync(join(COMMITTED, dir)).filter((n) => !statSync(join(COMMITTED, dir, n)).isDirectory())) {
        expect(readme, `${dir}/${name}`).toContain(name);
      }
    }
  });
});
