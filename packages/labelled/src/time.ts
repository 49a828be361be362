/**
 * Datetimes in the labelled layer: float64 milliseconds since
 * 1970-01-01T00:00:00Z (UTC, proleptic Gregorian calendar), NaN for NaT. This
 * module parses ISO strings (including partial dates such as `"2000-02"`),
 * formats, decodes CF `"<unit> since <date>"` units and infers them on write.
 * @module
 */
import { ArgumentError, DecodeError } from "./errors.js";

/** Resolution of a parsed date string (the span a partial date covers). */
export type DateResolution = "year" | "month" | "day" | "hour" | "minute" | "second" | "millisecond";

const RESOLUTIONS: DateResolution[] = ["year", "month", "day", "hour", "minute", "second", "millisecond"];

/** Milliseconds per CF time unit (plural, lower case). */
export const UNIT_MS: Record<string, number> = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
  microseconds: 1e-3,
  nanoseconds: 1e-6,
};

const ISO = /^\s*(-?\d{1,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T\s](\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/;

/** A parsed date string: the instant it starts at, where its span ends, and its resolution. */
export interface ParsedDate {
  start: number;
  end: number;
  resolution: DateResolution;
}

/**
 * Parses an ISO-8601 date or datetime, possibly partial (`"2000"`, `"2000-02"`,
 * `"2000-02-03T04:05"`). Without a zone it is UTC.
 *
 * @example
 * ```ts
 * parseDate("2000-02"); // { start: 949363200000, end: 951868800000, resolution: "month" }
 * ```
 */
export function parseDate(text: string): ParsedDate {
  const m = ISO.exec(text);
  if (!m) throw new ArgumentError(`Cannot parse ${JSON.stringify(text)} as a date: use ISO 8601, e.g. "2000-01-31" or "2000-01-31T12:00".`, "date");
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  const hour = m[4] ? Number(m[4]) : 0;
  const minute = m[5] ? Number(m[5]) : 0;
  const second = m[6] ? Number(m[6]) : 0;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    throw new ArgumentError(`Invalid date ${JSON.stringify(text)}: a field is out of range.`, "date");
  }
  let offset = 0;
  if (m[8] && m[8] !== "Z") {
    const z = m[8].replace(":", "");
    offset = (z[0] === "-" ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  const level = m[7] ? 6 : m[6] ? 5 : m[5] ? 4 : m[4] ? 3 : m[3] ? 2 : m[2] ? 1 : 0;
  const resolution = RESOLUTIONS[level]!;
  const start = utc(year, month - 1, day, hour, minute, second, frac) - offset;
  const end =
    resolution === "year" ? utc(year + 1, 0, 1) - offset
    : resolution === "month" ? utc(year, month, 1) - offset
    : resolution === "day" ? start + 86_400_000
    : resolution === "hour" ? start + 3_600_000
    : resolution === "minute" ? start + 60_000
    : resolution === "second" ? start + 1000
    : start + 1;
  return { start, end, resolution };
}

function utc(y: number, mo: number, d = 1, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/**
 * Converts a date-like value to milliseconds since the epoch.
 *
 * @example
 * ```ts
 * toMillis(new Date("2000-01-01T00:00:00Z")); // 946684800000
 * toMillis("2000-01-01");                     // 946684800000
 * ```
 */
export function toMillis(x: Date | string | number): number {
  if (x instanceof Date) return x.getTime();
  if (typeof x === "number") return x;
  return parseDate(x).start;
}

/**
 * Formats milliseconds as an ISO string: date only at midnight, `NaT` for NaN.
 *
 * @example
 * ```ts
 * formatDate(946684800000);            // "2000-01-01"
 * formatDate(946684800000 + 43200000); // "2000-01-01T12:00:00"
 * ```
 */
export function formatDate(ms: number): string {
  if (!Number.isFinite(ms)) return "NaT";
  const iso = new Date(ms).toISOString();
  if (ms % 86_400_000 === 0) return iso.slice(0, 10);
  return ms % 1000 === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** Calendar fields of a datetime, as xarray's `.dt` accessor names them. */
export type DatetimeField = "year" | "month" | "day" | "hour" | "minute" | "second" | "dayofyear" | "dayofweek" | "season";

const SEASONS = ["DJF", "DJF", "MAM", "MAM", "MAM", "JJA", "JJA", "JJA", "SON", "SON", "SON", "DJF"];

/**
 * One calendar field of an instant (NaN for NaT; `season` is a string).
 *
 * @example
 * ```ts
 * datetimeField(toMillis("2000-02-15"), "dayofyear"); // 46
 * datetimeField(toMillis("2000-02-15"), "season");    // "DJF"
 * ```
 */
export function datetimeField(ms: number, field: DatetimeField): number | string {
  if (!Number.isFinite(ms)) return field === "season" ? "nan" : NaN;
  const d = new Date(ms);
  switch (field) {
    case "year": return d.getUTCFullYear();
    case "month": return d.getUTCMonth() + 1;
    case "day": return d.getUTCDate();
    case "hour": return d.getUTCHours();
    case "minute": return d.getUTCMinutes();
    case "second": return d.getUTCSeconds();
    case "dayofweek": return (d.getUTCDay() + 6) % 7;
    case "dayofyear": return Math.floor((utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - utc(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    case "season": return SEASONS[d.getUTCMonth()]!;
  }
}

/** A parsed CF time unit. */
export interface CfTimeUnits {
  /** Plural lower-case unit, e.g. `"days"`. */
  unit: string;
  /** Milliseconds per unit. */
  unitMs: number;
  /** The reference instant in ms. */
  referenceMs: number;
}

const STANDARD_CALENDARS = new Set(["standard", "gregorian", "proleptic_gregorian"]);

/** True when a `units` attribute describes datetimes (`"<unit> since <date>"`). */
export function isTimeUnits(units: unknown): units is string {
  return typeof units === "string" && / since /i.test(units);
}

/**
 * Parses CF time units such as `"days since 2000-01-01 00:00:00"`.
 * Months and years (calendar-dependent lengths) and non-standard calendars are
 * a {@link DecodeError}.
 *
 * @example
 * ```ts
 * parseTimeUnits("hours since 1970-01-01").unitMs; // 3600000
 * ```
 */
export function parseTimeUnits(units: string, calendar = "standard", variable?: string): CfTimeUnits {
  const m = /^\s*(\S+)\s+since\s+(.+?)\s*$/i.exec(units);
  const where = variable ? ` of variable "${variable}"` : "";
  if (!m) throw new DecodeError(`Cannot parse time units ${JSON.stringify(units)}${where}: expected "<unit> since <date>".`, variable);
  let unit = m[1]!.toLowerCase();
  if (!unit.endsWith("s")) unit += "s";
  const unitMs = UNIT_MS[unit];
  if (unitMs === undefined) {
    throw new DecodeError(
      `Unsupported time units ${JSON.stringify(units)}${where}: "${m[1]}" is not one of ${Object.keys(UNIT_MS).join(", ")} ` +
        `(months and years have no fixed length). Open with decodeTimes: false to keep the raw numbers.`,
      variable,
    );
  }
  const cal = calendar.toLowerCase();
  if (!STANDARD_CALENDARS.has(cal)) {
    throw new DecodeError(
      `Unsupported calendar ${JSON.stringify(calendar)}${where}: only standard, gregorian and proleptic_gregorian are decoded. ` +
        `Open with decodeTimes: false to keep the raw numbers.`,
      variable,
    );
  }
  let ref = m[2]!.trim();
  // CF allows "1-1-1" style and a trailing "UTC"; zero-pad the year as xarray does
  ref = ref.replace(/\s*UTC$/i, "");
  const ym = /^(-?)(\d{1,4})(-.*)?$/.exec(ref);
  if (ym && ym[2]!.length < 4) ref = `${ym[1]}${ym[2]!.padStart(4, "0")}${ym[3] ?? ""}`;
  let referenceMs: number;
  try {
    referenceMs = parseDate(ref).start;
  } catch {
    throw new DecodeError(`Cannot parse the reference date ${JSON.stringify(m[2])} in time units ${JSON.stringify(units)}${where}.`, variable);
  }
  return { unit, unitMs, referenceMs };
}

/**
 * Units for encoding eager datetimes, as xarray infers them: the coarsest of
 * days, hours, minutes, seconds, milliseconds that divides every offset from
 * the first date, which is the reference.
 *
 * @example
 * ```ts
 * inferTimeUnits([946684800000, 946771200000]); // "days since 2000-01-01 00:00:00"
 * ```
 */
export function inferTimeUnits(values: readonly number[]): string {
  const valid = values.filter(Number.isFinite);
  const ref = valid.length ? Math.min(...valid) : 0;
  let unit = "milliseconds";
  for (const u of ["days", "hours", "minutes", "seconds"]) {
    if (valid.every((v) => (v - ref) % UNIT_MS[u]! === 0)) {
      unit = u;
      break;
    }
  }
  const iso = new Date(ref).toISOString();
  return `${unit} since ${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** A resampling frequency. */
export interface Frequency {
  /** Fixed-length bins (ms), or calendar bins. */
  kind: "fixed" | "month" | "year";
  n: number;
  ms: number;
}

/**
 * Parses a pandas-style frequency: `"D"`, `"3H"` (`"h"`), `"T"`/`"min"`, `"S"`/`"s"`, `"MS"`, `"YS"`/`"AS"`.
 *
 * @example
 * ```ts
 * parseFrequency("1MS"); // { kind: "month", n: 1, ms: 0 }
 * ```
 */
export function parseFrequency(freq: string): Frequency {
  const m = /^\s*(\d*)\s*([A-Za-z]+)\s*$/.exec(freq);
  if (!m) throw new ArgumentError(`Invalid frequency ${JSON.stringify(freq)}: expected e.g. "D", "6H", "1MS".`, "freq");
  const n = m[1] ? Number(m[1]) : 1;
  const unit = m[2]!;
  const fixed: Record<string, number> = { D: 86_400_000, H: 3_600_000, h: 3_600_000, T: 60_000, min: 60_000, S: 1000, s: 1000, L: 1, ms: 1 };
  if (unit in fixed) return { kind: "fixed", n, ms: n * fixed[unit]! };
  if (unit === "MS") return { kind: "month", n, ms: 0 };
  if (unit === "YS" || unit === "AS") return { kind: "year", n, ms: 0 };
  throw new ArgumentError(`Unsupported frequency ${JSON.stringify(freq)}: use D, H, T/min, S, L/ms, MS (month start) or YS/AS (year start).`, "freq");
}

/** The start of the bin of `freq` that contains `ms` (bins anchored at the epoch, months/years at calendar starts). */
export function binStart(ms: number, freq: Frequency): number {
  if (freq.kind === "fixed") return Math.floor(ms / freq.ms) * freq.ms;
  const d = new Date(ms);
  if (freq.kind === "month") {
    const months = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const k = Math.floor(months / freq.n) * freq.n;
    return utc(Math.floor(k / 12), k % 12, 1);
  }
  const y = Math.floor(d.getUTCFullYear() / freq.n) * freq.n;
  return utc(y, 0, 1);
}

/** The start of the bin after the one starting at `start`. */
export function nextBin(start: number, freq: Frequency): number {
  if (freq.kind === "fixed") return start + freq.ms;
  const d = new Date(start);
  if (freq.kind === "month") return utc(d.getUTCFullYear(), d.getUTCMonth() + freq.n, 1);
  return utc(d.getUTCFullYear() + freq.n, 0, 1);
}

/**
 * Evenly spaced dates, like pandas' `date_range`: `periods` dates from `start` at `freq`.
 *
 * @example
 * ```ts
 * dateRange("2000-01-01", { periods: 3, freq: "D" }); // 3 Dates, Jan 1–3
 * ```
 */
export function dateRange(start: Date | string, options: { periods: number; freq?: string }): Date[] {
  const f = parseFrequency(options.freq ?? "D");
  const out: Date[] = [];
  let t = toMillis(start);
  for (let i = 0; i < options.periods; i++) {
    out.push(new Date(t));
    t = f.kind === "fixed" ? t + f.ms : nextBin(t, f);
  }
  return out;
}
