import { p256 } from "@noble/curves/nist.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { AsyncCrypto } from "../../util/crypto-program.js";
import { parseEcdsaDer } from "../../util/ecdsa-der.js";
import { hexOf } from "../../util/encoding.js";

/**
 * The browser's AsyncCrypto: WebCrypto (crypto.subtle) for SHA-256 and ECDSA P-256, and
 * @noble/curves / @noble/hashes where subtle is missing (pages served over plain http are not a
 * secure context and get no crypto.subtle) or refuses a key or signature it could have verified.
 */

type Subtle = typeof globalThis.crypto.subtle;
type SubtleKey = Awaited<ReturnType<Subtle["importKey"]>>;

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** SPKI DER of a P-256 key is this prefix and the point (uncompressed 65 bytes, or compressed 33). */
const SPKI_PREFIX = {
  65: "3059301306072a8648ce3d020106082a8648ce3d030107034200",
  33: "3039301306072a8648ce3d020106082a8648ce3d030107032200",
} as const;

/** The EC point of a P-256 SPKI, or undefined if the bytes are not exactly that. */
export function p256PointOfSpki(spki: Uint8Array): Uint8Array | undefined {
  for (const [length, prefix] of Object.entries(SPKI_PREFIX)) {
    const n = Number(length);
    if (spki.byteLength === prefix.length / 2 + n && hexOf(spki.subarray(0, prefix.length / 2)) === prefix) return spki.slice(prefix.length / 2);
  }
  return undefined;
}

/** IEEE P1363 r‖s (what WebCrypto verifies) of a strict DER signature, or undefined. */
export function p1363OfDer(der: Uint8Array): { compact: Uint8Array; highS: boolean } | undefined {
  const rs = parseEcdsaDer(der);
  if (rs === undefined || rs.r >= P256_ORDER || rs.s >= P256_ORDER) return undefined;
  const compact = new Uint8Array(64);
  for (const [offset, value] of [[0, rs.r], [32, rs.s]] as const) {
    let v = value;
    for (let i = 31; i >= 0; i--, v >>= 8n) compact[offset + i] = Number(v & 0xffn);
  }
  return { compact, highS: rs.s > P256_ORDER / 2n };
}

function nobleVerify(point: Uint8Array, data: Uint8Array, compact: Uint8Array): boolean {
  try {
    // lowS false: OpenSSL (and so node:crypto and Rekor) accept high-S signatures.
    return p256.verify(compact, data, point, { prehash: true, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const KEY_CACHE_LIMIT = 64;

/** An AsyncCrypto over `subtle` (undefined: @noble alone). */
export function webAsyncCryptoOf(subtle: Subtle | undefined): AsyncCrypto {
  const keys = new Map<string, Promise<SubtleKey | undefined>>();
  const importKey = (spki: Uint8Array): Promise<SubtleKey | undefined> => {
    const id = hexOf(spki);
    let key = keys.get(id);
    if (key === undefined) {
      if (keys.size >= KEY_CACHE_LIMIT) keys.clear();
      key = subtle!.importKey("spki", new Uint8Array(spki), ECDSA_P256, false, ["verify"]).catch(() => undefined);
      keys.set(id, key);
    }
    return key;
  };
  return {
    async sha256(data) {
      if (subtle !== undefined) {
        try {
          return new Uint8Array(await subtle.digest("SHA-256", new Uint8Array(data)));
        } catch {
          // fall through to @noble
        }
      }
      return nobleSha256(data);
    },
    async verifyEcdsa(spkiDer, data, signatureDer) {
      const point = p256PointOfSpki(spkiDer);
      const signature = p1363OfDer(signatureDer);
      if (point === undefined || signature === undefined) return false;
      const key = subtle === undefined ? undefined : await importKey(spkiDer);
      if (key !== undefined) {
        try {
          const ok = await subtle!.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(signature.compact), new Uint8Array(data));
          // A WebCrypto that insists on low S would refuse what OpenSSL accepts: let @noble decide those.
          if (ok || !signature.highS) return ok;
        } catch {
          // refused: @noble decides
        }
      }
      return nobleVerify(point, data, signature.compact);
    },
  };
}

/** WebCrypto where the page has it, @noble where not. */
export const webAsyncCrypto: AsyncCrypto = webAsyncCryptoOf(globalThis.crypto?.subtle);
