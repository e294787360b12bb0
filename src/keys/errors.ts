import { ReftrailError } from "../util/errors.js";

export type KeyErrorCode = "KEY_FILE" | "KEY_EXISTS" | "KEY_TYPE" | "KEY_PERMISSIONS" | "KEY_MISSING" | "KEY_NOT_REGISTERED" | "REGISTRY";

/** A component key or key registry that cannot be read, stored or used. Messages never contain key material. */
export class KeyError extends ReftrailError<KeyErrorCode> {}
