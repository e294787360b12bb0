import { z } from "zod";

/** Lower-case hex of exactly `bytes` bytes. */
export const hexBytes = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lower-case hex digits`);

export const Sha256Hex = hexBytes(32).describe("SHA-256, lower-case hex");
export const Sha384Hex = hexBytes(48).describe("SHA-384, lower-case hex");

/** An integer register or bit field written as 0x-prefixed hex, exact for 64-bit values. */
export const HexInteger = z.string().regex(/^0x[0-9a-f]+$/, "expected 0x-prefixed lower-case hex");
