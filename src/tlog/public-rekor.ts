/**
 * Sigstore's public Rekor v1 (rekor.sigstore.dev): its signing key, pinned so that publishing to the
 * public log never trusts the key the server happens to serve. From Sigstore's public-good
 * TrustedRoot (the @sigstore/tuf 5.0.1 seed, test/fixtures/sigstore/public-good-trusted_root.json,
 * tlogs[0]: ECDSA P-256, valid from 2021-01-12T11:53:27Z); a test holds it equal to that file.
 */
export const PUBLIC_REKOR_URL = "https://rekor.sigstore.dev";

const PUBLIC_REKOR_SPKI = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==";

export const PUBLIC_REKOR_KEY_PEM = `-----BEGIN PUBLIC KEY-----\n${PUBLIC_REKOR_SPKI.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;

/** Whether `url` names the public Rekor (any trailing slashes). */
export function isPublicRekor(url: string): boolean {
  return url.replace(/\/+$/, "") === PUBLIC_REKOR_URL;
}
