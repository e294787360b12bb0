import { describe, expect, it } from "vitest";
import { formatRfc3339, msToNs, NS_PER_SECOND, parseInstant, parseRfc3339, secondsToNs } from "../../src/util/rfc3339.js";
import { prng } from "../helpers/random.js";

// Independent oracles, written here from the specifications and not from src/util/rfc3339.ts:
// RFC 3339 appendix C's leap-year rule, and Howard Hinnant's days_from_civil (proleptic Gregorian).
const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number): number => (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);

function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  frac: string;
  /** "Z", "z", or "+HH:MM" / "-HH:MM" */
  zone: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
const render = (p: Parts, sep = "T"): string => `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}${sep}${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${p.frac ? `.${p.frac}` : ""}${p.zone}`;

function expectedNs(p: Parts): bigint {
  let offsetSeconds = 0;
  if (p.zone !== "Z" && p.zone !== "z") {
    const sign = p.zone[0] === "-" ? -1 : 1;
    offsetSeconds = sign * (Number(p.zone.slice(1, 3)) * 3600 + Number(p.zone.slice(4, 6)) * 60);
  }
  const seconds = BigInt(daysFromCivil(p.y, p.mo, p.d)) * 86400n + BigInt(p.h * 3600 + p.mi * 60 + p.s - offsetSeconds);
  return seconds * 1_000_000_000n + BigInt((p.frac || "0").padEnd(9, "0"));
}

describe("the test's own oracle", () => {
  it("days_from_civil agrees with Date.UTC on known dates", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    for (const [y, m, d] of [[2025, 6, 3], [1600, 2, 29], [2400, 12, 31], [1900, 3, 1]] as const) {
      expect(daysFromCivil(y, m, d) * 86_400_000).toBe(Date.UTC(y, m - 1, d));
    }
  });
});

describe("parseRfc3339", () => {
  it("gives exact nanoseconds for Oak's sub-millisecond timestamps", () => {
    expect(parseRfc3339("2025-06-03T02:17:36.762000Z")).toBe(1748917056762000000n);
    expect(parseRfc3339("2025-06-03T02:17:36.762000Z")).toBe(BigInt(Date.parse("2025-06-03T02:17:36.762Z")) * 1_000_000n);
    expect(parseRfc3339("1970-01-01T00:00:00Z")).toBe(0n);
    expect(parseRfc3339("1970-01-01T00:00:00.000000001Z")).toBe(1n);
    expect(parseRfc3339("1970-01-01T00:00:00.999999999Z")).toBe(999_999_999n);
    expect(parseRfc3339("1969-12-31T23:59:59.999999999Z")).toBe(-1n);
    expect(parseRfc3339("1969-12-31T23:59:59Z")).toBe(-1_000_000_000n);
    // 2026-11-22T12:00:00Z: 56 years of 365 days + 14 leap days (1972..2024) + 325 days into 2026
    // (31+28+31+30+31+30+31+31+30+31 + 21) = 20779 days after the epoch, plus 12 h.
    expect(parseRfc3339("2026-11-22T12:00:00Z")).toBe((20779n * 86400n + 43200n) * 1_000_000_000n);
  });

  it("keeps every digit of a 1..9 digit fraction (a fraction is a decimal, not an integer)", () => {
    const base = parseRfc3339("2025-01-01T00:00:00Z")!;
    const cases: [string, bigint][] = [
      ["5", 500_000_000n],
      ["05", 50_000_000n],
      ["123", 123_000_000n],
      ["0001", 100_000n],
      ["12345", 123_450_000n],
      ["000001", 1_000n],
      ["1234567", 123_456_700n],
      ["00000001", 10n],
      ["123456789", 123_456_789n],
      ["000000000", 0n],
    ];
    for (const [frac, ns] of cases) expect(parseRfc3339(`2025-01-01T00:00:00.${frac}Z`), frac).toBe(base + ns);
  });

  it("refuses a fraction of 10 digits, an empty fraction, and a comma", () => {
    expect(parseRfc3339("2025-01-01T00:00:00.1234567890Z")).toBeUndefined();
    expect(parseRfc3339("2025-01-01T00:00:00.Z")).toBeUndefined();
    expect(parseRfc3339("2025-01-01T00:00:00,5Z")).toBeUndefined();
  });

  it("accepts Z and z, and T, t or a space between date and time", () => {
    const want = parseRfc3339("2025-06-03T02:17:36Z");
    expect(want).toBe(BigInt(Date.UTC(2025, 5, 3, 2, 17, 36)) * 1_000_000n);
    for (const t of ["2025-06-03T02:17:36z", "2025-06-03t02:17:36Z", "2025-06-03 02:17:36Z"]) expect(parseRfc3339(t), t).toBe(want);
  });

  it("applies ±HH:MM offsets (local time minus offset is UTC), agreeing with Date.parse", () => {
    const utc = parseRfc3339("2025-06-03T00:00:00Z")!;
    expect(parseRfc3339("2025-06-03T02:00:00+02:00")).toBe(utc);
    expect(parseRfc3339("2025-06-02T19:30:00-04:30")).toBe(utc);
    expect(parseRfc3339("2025-06-03T05:45:00+05:45")).toBe(utc);
    expect(parseRfc3339("2025-06-03T00:00:00+00:00")).toBe(utc);
    expect(parseRfc3339("2025-06-03T00:00:00-00:00")).toBe(utc);
    // Offsets that cross a day, a month and a year boundary.
    expect(parseRfc3339("2024-12-31T23:30:00-23:59")).toBe(parseRfc3339("2025-01-01T23:29:00Z"));
    expect(parseRfc3339("2025-03-01T00:10:00+23:59")).toBe(parseRfc3339("2025-02-28T00:11:00Z"));
    for (const t of ["2025-06-03T02:17:36.762+02:00", "1999-12-31T23:59:59.999-12:00", "2000-02-29T12:00:00.001+14:00", "1960-07-04T08:09:10.5-07:00"]) {
      expect(parseRfc3339(t), t).toBe(BigInt(Date.parse(t)) * 1_000_000n);
    }
  });

  it("refuses impossible offsets and offsets without a colon or minutes", () => {
    for (const t of ["2025-06-03T00:00:00+24:00", "2025-06-03T00:00:00+00:60", "2025-06-03T00:00:00+0200", "2025-06-03T00:00:00+02", "2025-06-03T00:00:00+2:00", "2025-06-03T00:00:00", "2025-06-03T00:00:00 Z", "2025-06-03T00:00:00UTC", "2025-06-03T00:00:00GMT+1"]) {
      expect(parseRfc3339(t), t).toBeUndefined();
    }
  });

  it("refuses invalid months, days, hours, minutes and seconds (no leap seconds, no 24:00)", () => {
    for (const t of [
      "2025-00-10T00:00:00Z",
      "2025-13-10T00:00:00Z",
      "2025-01-00T00:00:00Z",
      "2025-01-32T00:00:00Z",
      "2025-04-31T00:00:00Z",
      "2025-06-31T00:00:00Z",
      "2025-09-31T00:00:00Z",
      "2025-11-31T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2024-02-30T00:00:00Z",
      "2025-06-03T24:00:00Z",
      "2025-06-03T23:60:00Z",
      "2025-06-03T23:59:60Z",
      "2016-12-31T23:59:60Z",
      "2025-06-03T99:99:99Z",
    ]) {
      expect(parseRfc3339(t), t).toBeUndefined();
    }
  });

  it("accepts February 29 exactly in leap years (RFC 3339 appendix C), year 0 included", () => {
    for (const y of [0, 4, 400, 1600, 1904, 2000, 2024, 2400, 9996]) {
      const t = `${pad(y, 4)}-02-29T00:00:00Z`;
      expect(parseRfc3339(t), t).toBe(expectedNs({ y, mo: 2, d: 29, h: 0, mi: 0, s: 0, frac: "", zone: "Z" }));
    }
    for (const y of [1, 100, 1700, 1800, 1900, 2023, 2025, 2100, 9999]) expect(parseRfc3339(`${pad(y, 4)}-02-29T00:00:00Z`), String(y)).toBeUndefined();
  });

  it("refuses garbage, partial input, surrounding text and non-ASCII digits", () => {
    for (const t of [
      "",
      " ",
      "now",
      "2025",
      "2025-06-03",
      "2025-06-03T",
      "2025-06-03T02:17Z",
      "2025-06-03T02:17:36",
      "25-06-03T02:17:36Z",
      "02025-06-03T02:17:36Z",
      "+2025-06-03T02:17:36Z",
      "2025-6-3T2:17:36Z",
      "2025/06/03T02:17:36Z",
      "2025-06-03_02:17:36Z",
      "2025-06-03T02:17:36Zjunk",
      "2025-06-03T02:17:36Z ",
      " 2025-06-03T02:17:36Z",
      "2025-06-03T02:17:36Z\n",
      "x2025-06-03T02:17:36Z",
      "2025-06-03T02:17:36ZZ",
      "2025-06-03T02:17:36+02:00Z",
      "2025-06-03T02:17:36.762000Z.1",
      "２０２５-06-03T02:17:36Z",
      "2025-06-03T02:17:36.٧Z",
      "1748917056762",
    ]) {
      expect(parseRfc3339(t), JSON.stringify(t)).toBeUndefined();
    }
  });

  it("equals Date.parse × 10^6 on 2000 random millisecond timestamps with random offsets (seed 11)", () => {
    const next = prng(11);
    const int = (n: number) => Math.floor(next() * n);
    for (let i = 0; i < 2000; i++) {
      const ms = int(2 ** 42) - 2 ** 41; // about ±70 years around 1970
      const zoneMinutes = int(2 * 24 * 60 - 1) - (24 * 60 - 1);
      const local = new Date(ms + zoneMinutes * 60_000).toISOString().slice(0, 23);
      const zone = zoneMinutes === 0 && next() < 0.5 ? "Z" : `${zoneMinutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(zoneMinutes) / 60))}:${pad(Math.abs(zoneMinutes) % 60)}`;
      const text = `${local}${zone}`;
      expect(Date.parse(text), text).toBe(ms);
      expect(parseRfc3339(text), text).toBe(BigInt(ms) * 1_000_000n);
    }
  });

  it("equals the days_from_civil oracle on 5000 random valid timestamps in years 0000-9999 (seed 7)", () => {
    const next = prng(7);
    const int = (n: number) => Math.floor(next() * n);
    for (let i = 0; i < 5000; i++) {
      const y = int(10000);
      const mo = 1 + int(12);
      const p: Parts = {
        y,
        mo,
        d: 1 + int(daysIn(y, mo)),
        h: int(24),
        mi: int(60),
        s: int(60),
        frac: Array.from({ length: int(10) }, () => String(int(10))).join(""),
        zone: next() < 0.3 ? (next() < 0.5 ? "Z" : "z") : `${next() < 0.5 ? "-" : "+"}${pad(int(24))}:${pad(int(60))}`,
      };
      const text = render(p, next() < 0.9 ? "T" : " ");
      expect(parseRfc3339(text), text).toBe(expectedNs(p));
    }
  });

  it("refuses every day past the month's end in years 0000-9999 (seed 5)", () => {
    const next = prng(5);
    for (let i = 0; i < 3000; i++) {
      const y = Math.floor(next() * 10000);
      const mo = 1 + Math.floor(next() * 12);
      const last = daysIn(y, mo);
      const ok = `${pad(y, 4)}-${pad(mo)}-${pad(last)}T00:00:00Z`;
      const bad = `${pad(y, 4)}-${pad(mo)}-${pad(last + 1)}T00:00:00Z`;
      expect(parseRfc3339(ok), ok).toBe(expectedNs({ y, mo, d: last, h: 0, mi: 0, s: 0, frac: "", zone: "Z" }));
      expect(parseRfc3339(bad), bad).toBeUndefined();
    }
  });
});

describe("parseInstant", () => {
  it("reads a bare date as its midnight UTC", () => {
    expect(parseInstant("2026-11-22")).toBe(BigInt(Date.UTC(2026, 10, 22)) * 1_000_000n);
    expect(parseInstant("1970-01-01")).toBe(0n);
    expect(parseInstant("2024-02-29")).toBe(BigInt(Date.UTC(2024, 1, 29)) * 1_000_000n);
    expect(parseInstant("1969-12-31")).toBe(-86_400n * NS_PER_SECOND);
  });

  it("reads a date-time as parseRfc3339 does", () => {
    for (const t of ["2026-11-22T12:00:00Z", "2025-06-03T02:17:36.762000+02:00", "1969-12-31T23:59:59.999999999Z"]) expect(parseInstant(t), t).toBe(parseRfc3339(t));
    expect(parseInstant("2025-06-03T02:17:36.762000Z")).toBe(1748917056762000000n);
  });

  it("refuses invalid dates and other forms", () => {
    for (const t of ["2025-02-29", "2026-13-01", "2026-11-31", "2026-11-22 ", " 2026-11-22", "20261122", "2026-11", "2026-11-22T", "2026-11-22Z", "today", ""]) {
      expect(parseInstant(t), JSON.stringify(t)).toBeUndefined();
    }
  });
});

describe("formatRfc3339", () => {
  it("renders whole seconds without a fraction, and only the fraction digits needed", () => {
    expect(formatRfc3339(0n)).toBe("1970-01-01T00:00:00Z");
    expect(formatRfc3339(1748917056762000000n)).toBe("2025-06-03T02:17:36.762Z");
    expect(formatRfc3339(1748917056000000000n)).toBe("2025-06-03T02:17:36Z");
    expect(formatRfc3339(1748917056500000000n)).toBe("2025-06-03T02:17:36.5Z");
    expect(formatRfc3339(1748917056000000001n)).toBe("2025-06-03T02:17:36.000000001Z");
    expect(formatRfc3339(1748917056123456789n)).toBe("2025-06-03T02:17:36.123456789Z");
    expect(formatRfc3339(1748917056000100000n)).toBe("2025-06-03T02:17:36.0001Z");
  });

  it("renders instants before the epoch (floor, not truncation, of the second)", () => {
    expect(formatRfc3339(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
    expect(formatRfc3339(-500_000_000n)).toBe("1969-12-31T23:59:59.5Z");
    expect(formatRfc3339(-1_000_000_000n)).toBe("1969-12-31T23:59:59Z");
    expect(formatRfc3339(-1_500_000_001n)).toBe("1969-12-31T23:59:58.499999999Z");
    expect(formatRfc3339(-999_999n)).toBe("1969-12-31T23:59:59.999000001Z");
    expect(formatRfc3339(-86_400n * NS_PER_SECOND)).toBe("1969-12-31T00:00:00Z");
  });

  it("renders the ends of the four-digit-year range", () => {
    expect(formatRfc3339(parseRfc3339("0000-01-01T00:00:00Z")!)).toBe("0000-01-01T00:00:00Z");
    expect(formatRfc3339(253402300799999999999n)).toBe("9999-12-31T23:59:59.999999999Z");
    expect(parseRfc3339("9999-12-31T23:59:59.999999999Z")).toBe(253402300799999999999n);
  });

  it("agrees with Date.prototype.toISOString on 2000 random millisecond instants (seed 3)", () => {
    const next = prng(3);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(next() * 2 ** 44) - 2 ** 43;
      // toISOString always has three fraction digits; RFC 3339 output here drops trailing zeros.
      const want = new Date(ms).toISOString().replace(/\.?0*Z$/, "Z");
      expect(formatRfc3339(BigInt(ms) * 1_000_000n), String(ms)).toBe(want);
    }
  });

  it("round-trips through parseRfc3339 at nanosecond precision (seed 9)", () => {
    const next = prng(9);
    const lo = parseRfc3339("0000-01-01T00:00:00Z")!;
    const span = parseRfc3339("9999-12-31T23:59:59.999999999Z")! - lo;
    for (let i = 0; i < 3000; i++) {
      // 64 random bits, reduced into the range.
      const r = (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32));
      const ns = lo + (r % (span + 1n));
      const text = formatRfc3339(ns);
      expect(text, String(ns)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/);
      expect(parseRfc3339(text), text).toBe(ns);
    }
  });

  it("normalises a parsed timestamp to UTC with trailing fraction zeros removed", () => {
    expect(formatRfc3339(parseRfc3339("2025-06-03T02:17:36.762000Z")!)).toBe("2025-06-03T02:17:36.762Z");
    expect(formatRfc3339(parseRfc3339("2025-06-03T04:17:36.000000000+02:00")!)).toBe("2025-06-03T02:17:36Z");
    expect(formatRfc3339(parseRfc3339("2025-06-02t23:47:36.1-02:30")!)).toBe("2025-06-03T02:17:36.1Z");
  });
});

describe("unit helpers", () => {
  it("convert seconds and milliseconds to nanoseconds exactly", () => {
    expect(NS_PER_SECOND).toBe(1_000_000_000n);
    expect(secondsToNs(1748917056)).toBe(1748917056000000000n);
    expect(secondsToNs(-1n)).toBe(-1_000_000_000n);
    expect(msToNs(1748917056762)).toBe(1748917056762000000n);
    expect(msToNs(2n ** 60n)).toBe(2n ** 60n * 1_000_000n);
    expect(() => secondsToNs(1.5)).toThrow(RangeError);
  });
});
