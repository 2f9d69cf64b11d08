//! Calendar dates as the core exchanges them: `YYYY-MM-DD` text, no time zone. Date
//! arithmetic is done in UTC so that the local zone can never shift a day.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a valid `YYYY-MM-DD`, else null. */
export function parseDate(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  return Math.round(ms / DAY_MS);
}

export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

export function isDate(text: string): boolean {
  return parseDate(text) !== null;
}

function parts(days: number): [number, number, number] {
  const d = new Date(days * DAY_MS);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

/** Adds whole months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(days: number, months: number): number {
  const [y, m, d] = parts(days);
  const target = new Date(Date.UTC(y, m + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Math.round(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d, lastDay)) / DAY_MS,
  );
}

/**
 * The term after `start..=end` (inclusive), of the same length: whole months when the
 * old term was whole months, else the same number of days. Mirrors the core's renewal.
 */
export function nextTerm(start: string, end: string): [string, string] | null {
  const s = parseDate(start);
  const e = parseDate(end);
  if (s === null || e === null) return null;
  const nextStart = e + 1;
  const [sy, sm] = parts(s);
  const [ny, nm] = parts(nextStart);
  const months = (ny - sy) * 12 + nm - sm;
  const wholeMonths = months > 0 && addMonths(s, months) === nextStart;
  const nextEnd = wholeMonths ? addMonths(nextStart, months) - 1 : nextStart + (e - s);
  return [formatDate(nextStart), formatDate(nextEnd)];
}

/** A date for people, e.g. "1 Jan 2027" in the user's locale; the input if it is not a date. */
export function displayDate(text: string): string {
  const days = parseDate(text);
  if (days === null) return text;
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeZone: 'UTC',
  }).format(new Date(days * DAY_MS));
}

/** An RFC 3339 instant in the user's local time. */
export function displayInstant(text: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** "2 years", "18 months" or "45 days" for an inclusive term. */
export function termLength(start: string, end: string): string | null {
  const s = parseDate(start);
  const e = parseDate(end);
  if (s === null || e === null || e < s) return null;
  const [sy, sm] = parts(s);
  const [ny, nm] = parts(e + 1);
  const months = (ny - sy) * 12 + nm - sm;
  if (months > 0 && addMonths(s, months) === e + 1) {
    if (months % 12 === 0) return months === 12 ? '1 year' : `${months / 12} years`;
    return months === 1 ? '1 month' : `${months} months`;
  }
  const n = e - s + 1;
  return n === 1 ? '1 day' : `${n} days`;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** True for an RFC 3339 instant with a zone, e.g. `2026-11-27T10:00:00Z`. */
export function isInstant(text: string): boolean {
  const m = INSTANT.exec(text.trim());
  if (!m) return false;
  if (parseDate(`${m[1]}-${m[2]}-${m[3]}`) === null) return false;
  return Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60;
}

/** `now` truncated to the minute, in UTC, as RFC 3339: the default cut-off of a snapshot. */
export function minuteInstant(now: Date): string {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `date` (YYYY-MM-DD) plus `days` days, or null when `date` is not a date. */
export function addDays(date: string, days: number): string | null {
  const d = parseDate(date);
  return d === null ? null : formatDate(d + days);
}

/** Today in the user's time zone, as `YYYY-MM-DD`: the day they would write on a form. */
export function todayText(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A span of days for people, as short as the locale allows: "Nov 1 – 30, 2026". */
export function displayDateRange(start: string, end: string): string {
  const a = parseDate(start);
  const b = parseDate(end);
  if (a === null || b === null) return `${start} – ${end}`;
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
  return format.formatRange(new Date(a * DAY_MS), new Date(b * DAY_MS));
}
