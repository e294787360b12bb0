import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_BUNDLE, bundleBrowserVerifier, nodeImports } from "../../../scripts/build-browser.js";
import { browserBundlePath } from "../../../src/audit/browser/bundle-path.js";
import type * as BrowserApi from "../../../src/audit/browser/index.js";
import { COMMITTED, ROOT } from "../../helpers/fixtures.js";
import { tempDir } from "../../helpers/tlog.js";

/** Above this the pages load noticeably slower; zod (the LogEntry and body schemas) is most of it. */
const SIZE_BUDGET = 300 * 1024;

describe("the browser bundle (dist/audit/browser/verify.js)", () => {
  let bytes: Uint8Array;
  let dir: string;
  let api: typeof BrowserApi;

  beforeAll(async () => {
    bytes = await bundleBrowserVerifier();
    dir = tempDir("browser-bundle");
    const file = join(dir, "verify.js");
    writeFileSync(file, bytes);
    api = (await import(pathToFileURL(file).href)) as typeof BrowserApi;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`imports no node: module and stays under ${SIZE_BUDGET / 1024} KiB`, () => {
    const text = Buffer.from(bytes).toString("utf8");
    expect(text).not.toMatch(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\brequire\s*\(\s*["']node:/);
    expect(text).not.toMatch(/\bimport\s*["'][^"']+["']/); // no bare side-effect imports of anything either: one self-contained file
    expect(bytes.byteLength).toBeLessThan(SIZE_BUDGET);
    expect(bytes.byteLength).toBeGreaterThan(10 * 1024); // it did bundle the verifier, not just re-export it
  });

  it("nodeImports names what would keep a bundle out of a browser", () => {
    const metafile = { inputs: {}, outputs: { "x.js": { bytes: 1, inputs: {}, exports: [], imports: [{ path: "node:crypto", kind: "import-statement" as const, external: true }, { path: "./local.js", kind: "import-statement" as const }] } } };
    expect(nodeImports(metafile)).toEqual(["node:crypto"]);
  });

  const dirOf = (component: string) => join(COMMITTED, "oak/derived/milan_oc_release_components", component);
  const inputFor = (component: string, key: string) => ({
    statement: new Uint8Array(readFileSync(join(dirOf(component), "endorsement.json"))),
    signature: new Uint8Array(readFileSync(join(dirOf(component), "endorsement.json.sig"))),
    ...api.parseLogEntryResponse(readFileSync(join(dirOf(component), "logentry.json"), "utf8")),
    componentKey: readFileSync(join(COMMITTED, `oak/derived/endorser_key_${key}.pem`), "utf8"),
    logKey: readFileSync(join(COMMITTED, "sigstore/oak/rekor_public_key.pem"), "utf8"),
    logName: "rekor.sigstore.dev",
  });

  it("imported as a module with Node's WebCrypto, verifies Oak's entries and rejects a tampered copy", async () => {
    expect(globalThis.crypto.subtle).toBeDefined();
    for (const [component, key] of [
      ["kernel", "oak_containers_kernel"],
      ["stage0", "stage0_bin"],
      ["system_image", "oak_containers_system_image"],
    ] as const) {
      const verdict = await api.verifyLoggedEntry(api.webAsyncCrypto, inputFor(component, key));
      expect(verdict.failures, component).toEqual([]);
      expect(verdict.verified).toBe(true);
    }
    const input = inputFor("kernel", "oak_containers_kernel");
    const statement = Uint8Array.from(input.statement);
    statement[10]! ^= 1;
    const tampered = await api.verifyLoggedEntry(api.webAsyncCrypto, { ...input, statement });
    expect(tampered.verified).toBe(false);
    expect(tampered.failures).toEqual(["STATEMENT_SIGNATURE", "BODY_HASH"]);
  });

  it("with no Buffer and no crypto.subtle (a page over plain http), the portable code and @noble give the same verdicts", () => {
    // A separate process, so the bundle loads where neither global exists, as in such a browser page.
    const script = `
      delete globalThis.Buffer;
      Object.defineProperty(globalThis, "crypto", { value: {}, configurable: true });
      const input = JSON.parse(process.argv[1]);
      const api = await import(input.bundle);
      const bytes = (b64) => api.bytesOfBase64(b64);
      const base = { statement: bytes(input.statement), signature: bytes(input.signature), ...api.parseLogEntryResponse(input.logentry), componentKey: input.key, logKey: input.logKey, logName: "rekor.sigstore.dev" };
      const good = await api.verifyLoggedEntry(api.webAsyncCrypto, base);
      const statement = Uint8Array.from(base.statement);
      statement[10] ^= 1;
      const bad = await api.verifyLoggedEntry(api.webAsyncCrypto, { ...base, statement });
      console.log(JSON.stringify({ buffer: typeof Buffer, subtle: typeof globalThis.crypto.subtle, good: good.failures, bad: bad.failures }));
    `;
    const input = inputFor("kernel", "oak_containers_kernel");
    const args = JSON.stringify({
      bundle: pathToFileURL(join(dir, "verify.js")).href,
      statement: Buffer.from(input.statement).toString("base64"),
      signature: Buffer.from(input.signature).toString("base64"),
      logentry: readFileSync(join(dirOf("kernel"), "logentry.json"), "utf8"),
      key: input.componentKey,
      logKey: input.logKey,
    });
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, args], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ buffer: "undefined", subtle: "undefined", good: [], bad: ["STATEMENT_SIGNATURE", "BODY_HASH"] });
  });

  it("the helpers a page needs decode keys and bytes", () => {
    const spki = api.spkiOfPem(readFileSync(join(COMMITTED, "sigstore/oak/rekor_public_key.pem"), "utf8"));
    expect(spki?.byteLength).toBe(91); // P-256 SPKI DER
    expect(api.hexOf(api.bytesOfBase64("AAEC/w==")!)).toBe("000102ff");
  });

  it("browserBundlePath() is dist/audit/browser/verify.js of the package (where npm run build writes it)", () => {
    expect(browserBundlePath()).toBe(join(ROOT, BROWSER_BUNDLE));
  });
});
