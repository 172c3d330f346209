/**
 * Calendar rules in China time.
 *
 * Shanghai is UTC+8 all year (no DST), so civil dates are computed by shifting the instant
 * by a fixed 8 hours and reading UTC fields. That keeps results independent of the process
 * time zone (TZ is UTC on Lambda, but not on every developer machine).
 *
 * Mainland working days (public holidays and make-up working days) are in
 * `#domain/working-days`, apart from this module so that only the functions that count
 * working days bundle and load the holiday data (docs/DESIGN.md, bundle budgets).
 */
export const SHANGHAI_OFFSET = '+08:00';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const SHANGHAI_OFFSET_MS = 8 * MS_PER_HOUR;

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
export function parseCalendarDate(date: string): Date {
  const match = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  const parsed = match ? new Date(`${date}T00:00:00Z`) : null;
  // Date rolls 2026-02-30 over to March; the round trip catches it.
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`expected a calendar date as YYYY-MM-DD, got "${String(date)}"`);
  }
  return parsed;
}
