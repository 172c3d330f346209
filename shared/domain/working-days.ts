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
 * The JSON (43 KB minified) is read at the first working-day question, not bundled: a bundle
 * that merely contains this module (a use case that also counts working days) stays within
 * its budget, and only a function that counts working days loads it. Bundling copies the file
 * next to every function's bundle (infra/build-function.mjs); in the repository
 * it resolves from node_modules.
 *
 * Coverage: chinese-days 1.5.7 has data for 2004–2026 only; 2027 (including Spring Festival
 * 2027) is missing. Outside the covered years we fall back to Monday–Friday. That can count a
 * 2027 public holiday as a working day, which makes working-day deadlines shorter, never
 * longer. Upgrade the package once it ships 2027 (`workingDayCalendarCoverage` shows the range).
 */
import { createRequire } from 'node:module';
import { endOfShanghaiDay, parseCalendarDate, shanghaiDate } from '#domain/calendar';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** The published data; bundling copies it to the same path under the bundle's node_modules. */
const HOLIDAY_DATA_MODULE = 'chinese-days/dist/chinese-days.json';

interface HolidayData {
  // Keyed by 'YYYY-MM-DD'; values are descriptions we do not need.
  holidays: Readonly<Record<string, string>>;
  workdays: Readonly<Record<string, string>>;
}

let loaded: HolidayData | undefined;

function holidayData(): HolidayData {
  loaded ??= createRequire(import.meta.url)(HOLIDAY_DATA_MODULE) as HolidayData;
  return loaded;
}

/** Years for which public holidays and make-up working days are known (inclusive). */
export const workingDayCalendarCoverage: { readonly firstYear: number; readonly lastYear: number } =
  Object.freeze({
    get firstYear() {
      return coveredYears().firstYear;
    },
    get lastYear() {
      return coveredYears().lastYear;
    },
  });

/** Whether a 'YYYY-MM-DD' date is a mainland working day (see the module comment for coverage). */
export function isWorkingDay(date: string): boolean {
  const weekday = parseCalendarDate(date).getUTCDay();
  const { holidays, workdays } = holidayData();
  if (workdays[date] !== undefined) return true;
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

let covered: { firstYear: number; lastYear: number } | undefined;

function coveredYears(): { firstYear: number; lastYear: number } {
  if (covered) return covered;
  const { holidays, workdays } = holidayData();
  const years = [...Object.keys(holidays), ...Object.keys(workdays)].map((date) => Number(date.slice(0, 4)));
  covered = { firstYear: Math.min(...years), lastYear: Math.max(...years) };
  return covered;
}
