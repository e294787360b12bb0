import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PUBLIC_REKOR_KEY_PEM, PUBLIC_REKOR_URL, isPublicRekor } from "../../src/tlog/public-rekor.js";
import { remoteLogTarget } from "../../src/tlog/target.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMITTED } from "../helpers/fixtures.js";

/** Sigstore's public-good TrustedRoot (the @sigstore/tuf seed), the independent source of the pinned key. */
const trustedRoot = JSON.parse(readFileSync(join(COMMITTED, "sigstore/public-good-trusted_root.json"), "utf8")) as {
  tlogs: { baseUrl: string; publicKey: { rawBytes: string; keyDetails: string } }[];
};

describe("public Rekor", () => {
  it("pins the key the public-good TrustedRoot lists for rekor.sigstore.dev", () => {
    const tlog = trustedRoot.tlogs.find((t) => t.baseUrl === PUBLIC_REKOR_URL)!;
    expect(tlog.publicKey.keyDetails).toBe("PKIX_ECDSA_P256_SHA_256");
    const pinned = createPublicKey(PUBLIC_REKOR_KEY_PEM).export({ type: "spki", format: "der" });
    expect(pinned.toString("base64")).toBe(tlog.publicKey.rawBytes);
  });

  it("uses the pinned key for the public Rekor without asking the server (no request is made)", async () => {
    const target = await remoteLogTarget(`${PUBLIC_REKOR_URL}/`, { timeoutMs: 1, retries: 0, subject: "--rekor-url" });
    expect(target.servedKeyTrusted).toBe(false);
    expect(target.log.identity.publicKey.export({ type: "spki", format: "der" }).toString("base64")).toBe(trustedRoot.tlogs[0]!.publicKey.rawBytes);
    expect(isPublicRekor("https://rekor.sigstore.dev.example.com")).toBe(false);
  });
});
