/**
 * Mainland working days, for the deadlines counted in them (R21 title reviews, R28 expected
 * completion). Only the functions that count working days import this module, so only they
 * bundle and parse the holiday data (docs/DESIGN.md, bundle budgets).
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
import { endOfShanghaiDay, parseCalendarDate, shanghaiDate } from '#domain/calendar';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

// Keyed by 'YYYY-MM-DD'; values are descriptions we do not need.
const holidays: Readonly<Record<string, string>> = holidayData.holidays;
const makeUpWorkdays: Readonly<Record<string, string>> = holidayData.workdays;

/** Years for which public holidays and make-up working days are known (inclusive). */
export const workingDayCalendarCoverage: { readonly firstYear: number; readonly lastYear: number } =
  Object.freeze(coveredYears());

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
  // Midnight UTC is 08:00 in Shanghai on the same date, so this is the end of that date.
  return endOfShanghaiDay(new Date(day));
}

function coveredYears(): { firstYear: number; lastYear: number } {
  const years = [...Object.keys(holidays), ...Object.keys(makeUpWorkdays)].map((date) =>
    Number(date.slice(0, 4)),
  );
  return { firstYear: Math.min(...years), lastYear: Math.max(...years) };
}
