/**
 * Calendar rules in China time on the mainland working-day calendar.
 *
 * Shanghai is UTC+8 all year (no DST), so civil dates are computed by shifting the instant
 * by a fixed 8 hours and reading UTC fields. That keeps results independent of the process
 * time zone (TZ is UTC on Lambda, but not on every developer machine).
 *
 * Working days come from the `chinese-days` package's published data (public holidays and
 * the weekend make-up working days, 调休). We read its JSON rather than call its
 * `isWorkday`: the library parses 'YYYY-MM-DD' as UTC but reads it back in the process time
 * zone (the wrong day west of UTC), and building its API costs ~5 ms of module load against
 * ~0.5 ms for the JSON (measured on Node 22, esbuild bundle). The rule is the same as its
 * `isWorkday`: a make-up working day, or Monday–Friday that is not a holiday.
 *
 * Coverage: chinese-days 1.5.7 has data for 2004–2026 only; 2027 (including Spring Festival
 * 2027) is missing. Outside the covered years we fall back to Monday–Friday. That can count a
 * 2027 public holiday as a working day, which makes working-day deadlines shorter, never
 * longer. Upgrade the package once it ships 2027 (`workingDayCalendarCoverage` shows the range).
 */
import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

export const SHANGHAI_OFFSET = '+08:00';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const SHANGHAI_OFFSET_MS = 8 * MS_PER_HOUR;

// Keyed by 'YYYY-MM-DD'; values are descriptions we do not need.
const holidays: Readonly<Record<string, string>> = holidayData.holidays;
const makeUpWorkdays: Readonly<Record<string, string>> = holidayData.workdays;

/** Years for which public holidays and make-up working days are known (inclusive). */
export const workingDayCalendarCoverage: { readonly firstYear: number; readonly lastYear: number } =
  Object.freeze(coveredYears());

/** 'YYYY-MM-DD' of the instant's calendar day in Shanghai. */
export function shanghaiDate(instant: Date): string {
  return shanghaiWallClock(instant).toISOString().slice(0, 10);
}

/** 'YYYY-MM' of the instant's calendar month in Shanghai. */
export function shanghaiMonth(instant: Date): string {
  return shanghaiDate(instant).slice(0, 7);
}

/**
 * ISO-8601 with the +08:00 offset, e.g. '2026-11-21T16:02:23+08:00'. Milliseconds appear
 * only when non-zero ('…23.456+08:00'), so whole-second timestamps (the usual case for
 * invoice data) stay in the short form without losing precision when there is a fraction.
 */
export function toShanghaiIso(instant: Date): string {
  const iso = shanghaiWallClock(instant).toISOString(); // 'YYYY-MM-DDTHH:mm:ss.sssZ'
  const withoutZone = iso.endsWith('.000Z') ? iso.slice(0, -5) : iso.slice(0, -1);
  return `${withoutZone}${SHANGHAI_OFFSET}`;
}

/** 24:00 of the instant's Shanghai day, i.e. 00:00 +08:00 of the next day. */
export function endOfShanghaiDay(instant: Date): Date {
  const wallMs = shanghaiWallClock(instant).getTime();
  return new Date(Math.floor(wallMs / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY - SHANGHAI_OFFSET_MS);
}

/** Whether a 'YYYY-MM-DD' date is a mainland working day (see the module comment for coverage). */
export function isWorkingDay(date: string): boolean {
  const weekday = parseCalendarDate(date).getUTCDay();
  if (makeUpWorkdays[date] !== undefined) return true;
  return weekday >= 1 && weekday <= 5 && holidays[date] === undefined;
}

/**
 * The end (24:00 Shanghai) of the `days`-th working day strictly after the instant's Shanghai
 * date. E.g. Friday 2026-11-20 10:00 +08:00 plus 2 working days ends Tuesday 2026-11-24 24:00.
 */
export function addWorkingDays(instant: Date, days: number): Date {
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new RangeError(`days must be a positive integer, got ${String(days)}`);
  }
  // Midnight UTC of the Shanghai date: a plain day counter, no time zone involved.
  let day = parseCalendarDate(shanghaiDate(instant)).getTime();
  let remaining = days;
  while (remaining > 0) {
    day += MS_PER_DAY;
    if (isWorkingDay(new Date(day).toISOString().slice(0, 10))) remaining -= 1;
  }
  return new Date(day + MS_PER_DAY - SHANGHAI_OFFSET_MS);
}

// Days, hours, minutes and whole seconds only: years and months have no fixed length.
const DURATION_PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of a simple ISO-8601 duration ('PT20S', 'PT1H30M', 'P1DT2H'); a day is 24 h. */
export function parseIsoDuration(value: string): number {
  const match = typeof value === 'string' ? DURATION_PATTERN.exec(value) : null;
  // 'P' and 'PT' match the pattern but name no component.
  if (!match || value === 'P' || value.endsWith('T')) {
    throw new RangeError(`unsupported ISO-8601 duration "${String(value)}": use PnDTnHnMnS`);
  }
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * MS_PER_DAY +
    Number(h ?? 0) * MS_PER_HOUR +
    Number(m ?? 0) * MS_PER_MINUTE +
    Number(s ?? 0) * MS_PER_SECOND;
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(`ISO-8601 duration "${value}" is too long`);
  }
  return ms;
}

/** A Date whose UTC fields read as Shanghai wall-clock time. */
function shanghaiWallClock(instant: Date): Date {
  if (!(instant instanceof Date)) {
    throw new TypeError('expected a Date');
  }
  const ms = instant.getTime();
  if (Number.isNaN(ms)) {
    throw new RangeError('expected a valid Date, got Invalid Date');
  }
  return new Date(ms + SHANGHAI_OFFSET_MS);
}

/** Parses a strict 'YYYY-MM-DD' calendar date to midnight UTC; rejects impossible dates. */
function parseCalendarDate(date: string): Date {
  const match = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  const parsed = match ? new Date(`${date}T00:00:00Z`) : null;
  // Date rolls 2026-02-30 over to March; the round trip catches it.
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`expected a calendar date as YYYY-MM-DD, got "${String(date)}"`);
  }
  return parsed;
}

function coveredYears(): { firstYear: number; lastYear: number } {
  const years = [...Object.keys(holidays), ...Object.keys(makeUpWorkdays)].map((date) =>
    Number(date.slice(0, 4)),
  );
  return { firstYear: Math.min(...years), lastYear: Math.max(...years) };
}
