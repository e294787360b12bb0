import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bytesOfBase64, portableEncoding } from "../../../src/util/encoding.js";

/** What the browser runs (no Buffer) against Node's Buffer, the oracle, on random and edge inputs. */
describe("portable hex and base64 (the browser's) match Buffer's", () => {
  it("encodes and decodes like Buffer", () => {
    for (let n = 0; n < 400; n++) {
      const bytes = randomBytes(n % 67);
      const b64 = bytes.toString("base64");
      expect(portableEncoding.base64Of(bytes)).toBe(b64);
      expect(Buffer.from(portableEncoding.bytesOfBase64(b64)!)).toEqual(bytes);
      expect(portableEncoding.hexOf(bytes)).toBe(bytes.toString("hex"));
      expect(Buffer.from(portableEncoding.bytesOfHex(bytes.toString("hex").toUpperCase())!)).toEqual(bytes);
      for (const loose of [b64, b64.replace(/=+$/, ""), b64.slice(0, -1), `${b64}A`]) {
        expect(Buffer.from(portableEncoding.bytesOfBase64Loosely(loose)), JSON.stringify(loose)).toEqual(Buffer.from(loose, "base64"));
      }
    }
  });

  it("strict base64 refuses every non-canonical spelling, as the Buffer round trip does", () => {
    for (const bad of ["QQ", "QR==", "Q===", "QUJD\n", "QUI=QUI=", "QUJ", "QU=D", "****"]) {
      expect(portableEncoding.bytesOfBase64(bad), bad).toBeUndefined();
      expect(bytesOfBase64(bad), bad).toBeUndefined();
    }
    for (const bad of ["abc", "zz", "0x00"]) expect(portableEncoding.bytesOfHex(bad), bad).toBeUndefined();
  });
});
