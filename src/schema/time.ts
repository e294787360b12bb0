import { z } from "zod";
import { parseRfc3339 } from "../util/rfc3339.js";

/** An RFC 3339 date-time (`2025-06-03T02:17:36.762000Z`); compared at nanosecond precision. */
export const Rfc3339 = z.string().refine((t) => parseRfc3339(t) !== undefined, "expected an RFC 3339 date-time such as 2026-01-31T12:00:00Z");
