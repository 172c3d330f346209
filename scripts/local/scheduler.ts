/**
 * EventBridge Scheduler locally: fires the template's schedules (rate, cron with a time zone,
 * one-time at) at their targets — a bundled Lambda or a state machine — with their Input.
 */
import type { LambdaRuntime, LocalSchedule } from './types.ts';

export interface LocalScheduler {
  /** Fires one schedule now, as the scheduler would (tests, `npm run monthly`). */
  fire(logicalId: string): Promise<void>;
  close(): void;
}

export interface SchedulerOptions {
  schedules: LocalSchedule[];
  lambda: LambdaRuntime;
  startExecution: (stateMachineArn: string, input: string) => Promise<void>;
  /** false: nothing fires by itself, only through fire(). */
  armTimers: boolean;
  log?: (line: string) => void;
}

export function startScheduler(options: SchedulerOptions): LocalScheduler {
  const log = options.log ?? ((line: string) => console.log(line));
  const timers: NodeJS.Timeout[] = [];
  const byId = new Map(options.schedules.map((s) => [s.logicalId, s]));

  const fire = async (schedule: LocalSchedule) => {
    const { target } = schedule;
    try {
      if (target.kind === 'lambda')
        await options.lambda.invoke(target.functionLogicalId, JSON.parse(schedule.input));
      else await options.startExecution(target.stateMachineArn, schedule.input);
      log(`[scheduler] ${schedule.logicalId} fired`);
    } catch (error) {
      log(
        `[scheduler] ${schedule.logicalId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  for (const schedule of options.schedules.filter((s) => s.enabled && options.armTimers)) {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule.expression);
    if (rate) {
      const unit = rate[2]!.startsWith('minute')
        ? 60_000
        : rate[2]!.startsWith('hour')
          ? 3_600_000
          : 86_400_000;
      timers.push(setInterval(() => void fire(schedule), Number(rate[1]) * unit).unref());
      continue;
    }
    const cron = /^cron\((.+)\)$/.exec(schedule.expression);
    if (cron) {
      const matches = cronMatcher(cron[1]!, schedule.timezone);
      const tick = () => {
        if (matches(new Date())) void fire(schedule);
      };
      const toNextMinute = 60_000 - (Date.now() % 60_000);
      timers.push(
        setTimeout(() => {
          tick();
          timers.push(setInterval(tick, 60_000).unref());
        }, toNextMinute).unref(),
      );
      continue;
    }
    const at = /^at\((.+)\)$/.exec(schedule.expression);
    if (at) {
      const when = zonedInstant(at[1]!, schedule.timezone).getTime() - Date.now();
      if (when > 0 && when < 2 ** 31 - 1) timers.push(setTimeout(() => void fire(schedule), when).unref());
      continue;
    }
    log(`[scheduler] ${schedule.logicalId}: unsupported expression ${schedule.expression}`);
  }

  return {
    fire: async (logicalId) => {
      const schedule = byId.get(logicalId);
      if (!schedule) throw new Error(`No schedule ${logicalId}`);
      await fire(schedule);
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * AWS cron: minutes hours day-of-month month day-of-week year, evaluated in the schedule's
 * time zone. Supports *, ?, lists, ranges, steps, names and L (last day of month).
 */
export function cronMatcher(expression: string, timezone: string): (instant: Date) => boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`cron needs 6 fields: ${expression}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  });
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
    const y = Number(parts.year);
    const mo = Number(parts.month);
    const d = Number(parts.day);
    const lastDay = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const weekday = DAY_NAMES.indexOf(String(parts.weekday).toUpperCase()) + 1;
    return (
      field(minute, Number(parts.minute), 0, 59) &&
      field(hour, Number(parts.hour), 0, 23) &&
      (dayOfMonth === 'L' ? d === lastDay : field(dayOfMonth, d, 1, 31)) &&
      field(month, mo, 1, 12, MONTH_NAMES) &&
      field(dayOfWeek, weekday, 1, 7, DAY_NAMES) &&
      field(year, y, 1970, 2199)
    );
  };
}

function field(spec: string, value: number, min: number, max: number, names?: string[]): boolean {
  if (spec === '*' || spec === '?') return true;
  const toNumber = (token: string) => {
    const named = names?.indexOf(token.toUpperCase()) ?? -1;
    return named >= 0 ? named + 1 : Number(token);
  };
  return spec.split(',').some((part) => {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText ? Number(stepText) : 1;
    const [from, to] =
      range === '*'
        ? [min, max]
        : range.includes('-')
          ? range.split('-').map(toNumber)
          : [toNumber(range), stepText ? max : toNumber(range)];
    return value >= from! && value <= to! && (value - from!) % step === 0;
  });
}

/** "2026-12-10T09:00:00" in a time zone → the instant. */
function zonedInstant(local: string, timezone: string): Date {
  const guess = new Date(`${local}Z`);
  const inZone = new Date(guess.toLocaleString('en-US', { timeZone: timezone }));
  const inUtc = new Date(guess.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(guess.getTime() - (inZone.getTime() - inUtc.getTime()));
}
