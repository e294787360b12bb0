/**
 * RFC 3339 timestamps as exact nanoseconds since the Unix epoch. Endorsement validity bounds are
 * inclusive and carry sub-millisecond digits (`2025-06-03T02:17:36.762000Z`), so comparisons are done
 * on BigInt nanoseconds, never on floating-point milliseconds.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const NS_PER_MS = 1_000_000n;
export const NS_PER_SECOND = 1_000_000_000n;

function daysInMonth(year: number, month: number): number {
  // Not Date.UTC: it reads years 0-99 as 1900-1999, and 1900 is no leap year while 0000 is.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Nanoseconds since the epoch, or undefined if `text` is not an RFC 3339 date-time (leap seconds refused). */
export function parseRfc3339(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  // An offset can carry year 0000 or 9999 out of the four-digit range, which cannot be written back.
  if (date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return undefined;
  const fraction = BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  return BigInt(date.getTime()) * NS_PER_MS + fraction;
}

/** `--at` style input: an RFC 3339 date-time, or a date meaning its midnight UTC. */
export function parseInstant(text: string): bigint | undefined {
  return parseRfc3339(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}

/** Renders nanoseconds as RFC 3339 UTC, with as many fraction digits as needed (none for whole seconds). */
export function formatRfc3339(ns: bigint): string {
  const ms = ns / NS_PER_MS - (ns < 0n && ns % NS_PER_MS !== 0n ? 1n : 0n);
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = ((ns % NS_PER_SECOND) + NS_PER_SECOND) % NS_PER_SECOND;
  const digits = fraction === 0n ? "" : `.${fraction.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${base}${digits}Z`;
}

/** Now, truncated to whole seconds (Rekor's integratedTime resolution). */
export function nowWholeSeconds(): bigint {
  const ns = BigInt(Date.now()) * NS_PER_MS;
  return ns - (ns % NS_PER_SECOND);
}

export const secondsToNs = (seconds: number | bigint): bigint => BigInt(seconds) * NS_PER_SECOND;
export const msToNs = (ms: number | bigint): bigint => BigInt(ms) * NS_PER_MS;
