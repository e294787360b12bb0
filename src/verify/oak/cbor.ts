import { decode, encode } from "cborg";
import { OakInputError } from "./errors.js";

/**
 * Strict CBOR (cborg): minimal integer and length encodings, no duplicate map keys, no tags, no
 * indefinite lengths, nothing after the item. Maps decode to Map so that integer keys (COSE and
 * CWT use negative ones) keep their type.
 */
const STRICT = { useMaps: true, strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false, allowUndefined: false } as const;

export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, STRICT);
  } catch (err) {
    throw new OakInputError("OAK_CBOR", `${what}: not valid CBOR (${err instanceof Error ? err.message.replace(/^CBOR decode error: /, "") : String(err)})`);
  }
}

export const encodeCbor = (value: unknown): Uint8Array => encode(value);

/** A CBOR map, or an input error naming `what`. */
export function cborMap(value: unknown, what: string): Map<unknown, unknown> {
  if (!(value instanceof Map)) throw new OakInputError("OAK_CBOR", `${what}: expected a CBOR map`);
  return value;
}

export function cborBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new OakInputError("OAK_CBOR", `${what}: expected a byte string`);
  return value;
}

export function cborText(value: unknown, what: string): string {
  if (typeof value !== "string") throw new OakInputError("OAK_CBOR", `${what}: expected a text string`);
  return value;
}

export function cborInt(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new OakInputError("OAK_CBOR", `${what}: expected an integer`);
  return value;
}

/** A map member that must be present. */
export function member(map: Map<unknown, unknown>, key: number, what: string): unknown {
  if (!map.has(key)) throw new OakInputError("OAK_CBOR", `${what}: missing key ${key}`);
  return map.get(key);
}
