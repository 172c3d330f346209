import chineseDays from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  endOfShanghaiDay,
  parseIsoDuration,
  SHANGHAI_OFFSET,
  shanghaiDate,
  shanghaiMonth,
  toShanghaiIso,
} from '#domain/calendar';
import { addWorkingDays, isWorkingDay, workingDayCalendarCoverage } from '#domain/working-days';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Instants from 2000 to 2100, whole milliseconds.
const instant = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => new Date(ms));

describe('SHANGHAI_OFFSET', () => {
  it('is UTC+8', () => {
    expect(SHANGHAI_OFFSET).toBe('+08:00');
  });
});

describe('shanghaiDate', () => {
  it.each([
    ['2026-11-21T15:59:59.999Z', '2026-11-21'], // 23:59:59.999 in Shanghai
    ['2026-11-21T16:00:00.000Z', '2026-11-22'], // midnight in Shanghai
    ['2026-11-21T00:00:00.000Z', '2026-11-21'], // 08:00 in Shanghai
    ['2026-11-20T16:00:00.000Z', '2026-11-21'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01'],
    ['2028-02-28T16:00:00.000Z', '2028-02-29'], // leap day
  ])('%s is %s in Shanghai', (iso, expected) => {
    // Prepare
    const at = new Date(iso);

    // Act
    const date = shanghaiDate(at);

    // Assess
    expect(date).toBe(expected);
  });

  it('rejects an invalid Date with a RangeError', () => {
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('rejects a non-Date with a TypeError', () => {
    // Prepare
    const notADate = '2026-11-21T00:00:00Z' as unknown as Date;

    // Act / Assess
    expect(() => shanghaiDate(notADate)).toThrow(TypeError);
  });
});

describe('shanghaiMonth', () => {
  it.each([
    ['2026-11-30T15:59:59Z', '2026-11'],
    ['2026-11-30T16:00:00Z', '2026-12'],
    ['2026-12-31T16:00:00Z', '2027-01'],
  ])('%s is in %s in Shanghai', (iso, expected) => {
    // Act
    const month = shanghaiMonth(new Date(iso));

    // Assess
    expect(month).toBe(expected);
  });
});

describe('toShanghaiIso', () => {
  it.each([
    ['2026-11-21T08:02:23.000Z', '2026-11-21T16:02:23+08:00'],
    ['2026-11-21T15:59:59.000Z', '2026-11-21T23:59:59+08:00'],
    ['2026-11-21T16:00:00.000Z', '2026-11-22T00:00:00+08:00'],
    ['2026-11-21T08:02:23.456Z', '2026-11-21T16:02:23.456+08:00'], // non-zero milliseconds are kept
    ['2026-11-21T08:02:23.001Z', '2026-11-21T16:02:23.001+08:00'],
  ])('formats %s as %s', (iso, expected) => {
    // Act
    const formatted = toShanghaiIso(new Date(iso));

    // Assess
    expect(formatted).toBe(expected);
  });

  it('denotes the same instant and starts with the Shanghai date', () => {
    fc.assert(
      fc.property(instant, (at) => {
        // Act
        const formatted = toShanghaiIso(at);

        // Assess
        expect(formatted).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+08:00$/);
        expect(new Date(formatted).getTime()).toBe(at.getTime());
        expect(formatted.slice(0, 10)).toBe(shanghaiDate(at));
      }),
    );
  });
});

describe('endOfShanghaiDay', () => {
  it.each([
    ['2026-11-21T15:59:59Z', '2026-11-21T16:00:00.000Z'],
    ['2026-11-21T16:00:00Z', '2026-11-22T16:00:00.000Z'],
    ['2026-11-21T00:00:00Z', '2026-11-21T16:00:00.000Z'],
    ['2026-12-31T20:00:00Z', '2027-01-01T16:00:00.000Z'],
  ])('the Shanghai day of %s ends at %s', (iso, expected) => {
    // Act
    const end = endOfShanghaiDay(new Date(iso));

    // Assess
    expect(end.toISOString()).toBe(expected);
  });

  it('is the next Shanghai midnight after the instant', () => {
    fc.assert(
      fc.property(instant, (at) => {
        // Act
        const end = endOfShanghaiDay(at);

        // Assess
        expect(end.getTime()).toBeGreaterThan(at.getTime());
        expect(end.getTime() - at.getTime()).toBeLessThanOrEqual(DAY);
        expect(toShanghaiIso(end)).toMatch(/T00:00:00\+08:00$/);
        expect(shanghaiDate(new Date(end.getTime() - 1))).toBe(shanghaiDate(at));
      }),
    );
  });
});

describe('isWorkingDay', () => {
  it.each([
    // An ordinary week
    ['2026-11-20', true], // Friday
    ['2026-11-21', false], // Saturday
    ['2026-11-22', false], // Sunday
    ['2026-11-23', true], // Monday
    // New Year 2026: 1–3 January off, Sunday 4 January worked
    ['2026-01-01', false],
    ['2026-01-02', false],
    ['2026-01-04', true],
    // Spring Festival 2026: 15–23 February off, Saturdays 14 and 28 February worked
    ['2026-02-13', true],
    ['2026-02-14', true],
    ['2026-02-16', false],
    ['2026-02-23', false], // Monday
    ['2026-02-24', true],
    ['2026-02-28', true],
    // Labour Day 2026: 1–5 May off, Saturday 9 May worked
    ['2026-05-04', false],
    ['2026-05-05', false],
    ['2026-05-09', true],
    // Mid-Autumn 2026: Friday 25 September off
    ['2026-09-25', false],
    // National Day 2026: 1–7 October off, Sunday 20 September and Saturday 10 October worked
    ['2026-09-19', false],
    ['2026-09-20', true],
    ['2026-09-30', true],
    ['2026-10-01', false],
    ['2026-10-05', false], // Monday
    ['2026-10-07', false], // Wednesday
    ['2026-10-08', true],
    ['2026-10-10', true],
    ['2026-10-11', false],
  ])('%s → %s', (date, expected) => {
    // Act
    const working = isWorkingDay(date);

    // Assess
    expect(working).toBe(expected);
  });

  // chinese-days builds its tables in the process time zone and shifts every date a day early
  // west of UTC (e.g. TZ=America/Los_Angeles makes 2026-09-30 a holiday), so it can only serve
  // as a reference at or east of UTC; vitest.config.ts runs tests in UTC, as Lambda does.
  // Our isWorkingDay does not depend on the time zone.
  it('agrees with chinese-days isWorkday on every covered day', () => {
    // Prepare: local noon, so the library (which reads dates in the process time zone) sees the right day
    const mismatches: string[] = [];
    const { firstYear, lastYear } = workingDayCalendarCoverage;

    // Act
    for (let ms = Date.UTC(firstYear, 0, 1); ms < Date.UTC(lastYear + 1, 0, 1); ms += DAY) {
      const day = new Date(ms);
      const date = day.toISOString().slice(0, 10);
      const local = new Date(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12);
      if (isWorkingDay(date) !== chineseDays.isWorkday(local)) mismatches.push(date);
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('covers 2004–2026 (canary: update the fallback notes in calendar.ts when this changes)', () => {
    expect(workingDayCalendarCoverage).toEqual({ firstYear: 2004, lastYear: 2026 });
  });

  it('falls back to Monday–Friday beyond the covered years', () => {
    // Prepare: chinese-days 1.5.7 has no 2027 data, so New Year's Day 2027 (a Friday) and the
    // Spring Festival week (from 2027-02-06) are not known as holidays
    const dates = [
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
      '2027-02-05',
      '2027-02-06',
      '2027-02-08',
      '2027-02-12',
    ];

    // Act
    const working = dates.map(isWorkingDay);

    // Assess
    expect(working).toEqual([true, false, false, true, false, true, true]);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-2-3', '20261121', '2026-11-21T00:00:00Z', '', ' 2026-11-21'])(
    'rejects "%s" with a RangeError',
    (date) => {
      expect(() => isWorkingDay(date)).toThrow(RangeError);
    },
  );
});

describe('addWorkingDays', () => {
  it.each([
    // [submitted, working days, deadline (24:00 Shanghai of that day)]
    ['2026-11-20T10:00:00+08:00', 2, '2026-11-25T00:00:00+08:00'], // Fri → Tue
    ['2026-11-20T10:00:00+08:00', 1, '2026-11-24T00:00:00+08:00'], // Fri → Mon
    ['2026-11-21T10:00:00+08:00', 1, '2026-11-24T00:00:00+08:00'], // Sat → Mon
    ['2026-11-23T10:00:00+08:00', 5, '2026-12-01T00:00:00+08:00'], // Mon → next Mon
    // National Day 2026
    ['2026-09-18T10:00:00+08:00', 1, '2026-09-21T00:00:00+08:00'], // Fri → make-up Sunday 20th
    ['2026-09-30T10:00:00+08:00', 1, '2026-10-09T00:00:00+08:00'], // Wed → Thu 8 Oct, after the holiday
    ['2026-09-30T10:00:00+08:00', 2, '2026-10-10T00:00:00+08:00'], // → Fri 9 Oct
    ['2026-09-30T10:00:00+08:00', 3, '2026-10-11T00:00:00+08:00'], // → make-up Saturday 10 Oct
    ['2026-09-30T10:00:00+08:00', 4, '2026-10-13T00:00:00+08:00'], // → Mon 12 Oct
    ['2026-10-03T10:00:00+08:00', 1, '2026-10-09T00:00:00+08:00'], // mid-holiday → Thu 8 Oct
    // Spring Festival 2026
    ['2026-02-13T10:00:00+08:00', 1, '2026-02-15T00:00:00+08:00'], // Fri → make-up Saturday 14th
    ['2026-02-13T10:00:00+08:00', 2, '2026-02-25T00:00:00+08:00'], // → Tue 24th, after 15–23 off
    // Year end, into the uncovered 2027 (Monday–Friday fallback: 1 January counts)
    ['2026-12-31T10:00:00+08:00', 1, '2027-01-02T00:00:00+08:00'],
    ['2026-12-30T10:00:00+08:00', 3, '2027-01-05T00:00:00+08:00'], // Thu 31, Fri 1, Mon 4
  ])('%s + %d working days ends at %s', (submitted, days, expected) => {
    // Act
    const deadline = addWorkingDays(new Date(submitted), days);

    // Assess
    expect(toShanghaiIso(deadline)).toBe(expected);
  });

  it('counts from the Shanghai date, not the UTC date, around midnight', () => {
    // Prepare: 15:59:59Z is Thursday 23:59:59 in Shanghai; 16:00:00Z is already Friday
    const lateThursday = new Date('2026-11-19T15:59:59Z');
    const earlyFriday = new Date('2026-11-19T16:00:00Z');

    // Act
    const fromThursday = addWorkingDays(lateThursday, 1);
    const fromFriday = addWorkingDays(earlyFriday, 1);

    // Assess
    expect(fromThursday.toISOString()).toBe('2026-11-20T16:00:00.000Z'); // end of Friday
    expect(fromFriday.toISOString()).toBe('2026-11-23T16:00:00.000Z'); // end of Monday
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d days with a RangeError', (days) => {
    expect(() => addWorkingDays(new Date('2026-11-20T02:00:00Z'), days)).toThrow(RangeError);
  });

  describe('properties', () => {
    const days = fc.integer({ min: 1, max: 60 });

    it('ends at the end of the n-th working day after the start date', () => {
      fc.assert(
        fc.property(instant, days, (at, n) => {
          // Act
          const deadline = addWorkingDays(at, n);

          // Assess
          const lastDay = shanghaiDate(new Date(deadline.getTime() - 1));
          expect(endOfShanghaiDay(new Date(deadline.getTime() - 1)).getTime()).toBe(deadline.getTime());
          expect(isWorkingDay(lastDay)).toBe(true);
          let counted = 0;
          for (let ms = endOfShanghaiDay(at).getTime(); ms < deadline.getTime(); ms += DAY) {
            if (isWorkingDay(shanghaiDate(new Date(ms)))) counted += 1;
          }
          expect(counted).toBe(n);
        }),
      );
    });

    it('depends only on the Shanghai date of the instant', () => {
      fc.assert(
        fc.property(instant, fc.integer({ min: 0, max: DAY - 1 }), days, (at, offset, n) => {
          // Prepare: another instant on the same Shanghai day
          const startOfDay = endOfShanghaiDay(at).getTime() - DAY;
          const sameDay = new Date(startOfDay + offset);

          // Act / Assess
          expect(addWorkingDays(sameDay, n).getTime()).toBe(addWorkingDays(at, n).getTime());
        }),
      );
    });

    it('one more working day ends strictly later', () => {
      fc.assert(
        fc.property(instant, days, (at, n) => {
          expect(addWorkingDays(at, n + 1).getTime()).toBeGreaterThan(addWorkingDays(at, n).getTime());
        }),
      );
    });
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['PT20S', 20_000],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['PT1H30M15S', 5_415_000],
    ['P1D', 86_400_000],
    ['P1DT2H', 93_600_000],
    ['PT0S', 0],
    ['PT90M', 5_400_000],
    ['PT005S', 5_000],
  ])('parses %s as %d ms', (value, expected) => {
    // Act
    const ms = parseIsoDuration(value);

    // Assess
    expect(ms).toBe(expected);
  });

  it.each([
    'P1Y',
    'P1M',
    'P1W',
    'PT1.5S',
    'PT0,5S',
    'PT',
    'P',
    'P1DT',
    '',
    'pt20s',
    'PT-5S',
    ' PT5S',
    'PT5S ',
    'PT5M1H',
    '20S',
    'T20S',
    'P1H',
    `PT${'9'.repeat(20)}S`,
  ])('rejects "%s" with a RangeError', (value) => {
    expect(() => parseIsoDuration(value)).toThrow(RangeError);
  });

  it('adds up its components', () => {
    const component = fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined });
    fc.assert(
      fc.property(component, component, component, component, (d, h, m, s) => {
        fc.pre([d, h, m, s].some((part) => part !== undefined));
        // Prepare
        const time = [
          h === undefined ? '' : `${h}H`,
          m === undefined ? '' : `${m}M`,
          s === undefined ? '' : `${s}S`,
        ].join('');
        const value = `P${d === undefined ? '' : `${d}D`}${time === '' ? '' : `T${time}`}`;

        // Act
        const ms = parseIsoDuration(value);

        // Assess
        expect(ms).toBe((d ?? 0) * DAY + (h ?? 0) * HOUR + (m ?? 0) * 60_000 + (s ?? 0) * 1000);
      }),
    );
  });
});
