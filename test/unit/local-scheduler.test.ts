import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronMatcher, startScheduler } from '../../scripts/local/scheduler.ts';
import type { LambdaRuntime, LocalSchedule } from '../../scripts/local/types.ts';

function recordingLambda() {
  const calls: { fn: string; event: unknown }[] = [];
  const lambda: LambdaRuntime = {
    invoke: async (fn, event) => {
      calls.push({ fn, event });
      return null;
    },
    close: async () => {},
  };
  return { lambda, calls };
}

const schedule = (fields: Partial<LocalSchedule>): LocalSchedule => ({
  logicalId: 'Monthly',
  expression: 'cron(0 9 10 * ? *)',
  timezone: 'Asia/Shanghai',
  enabled: true,
  input: '{"kind":"monthly"}',
  target: { kind: 'lambda', functionLogicalId: 'MonthlyRun' },
  ...fields,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('local EventBridge Scheduler', () => {
  it('evaluates AWS cron in the schedule’s time zone (09:00 on the 10th in Shanghai is 01:00 UTC)', () => {
    const matches = cronMatcher('0 9 10 * ? *', 'Asia/Shanghai');
    expect(matches(new Date('2026-12-10T01:00:00Z'))).toBe(true);
    expect(matches(new Date('2026-12-10T09:00:00Z'))).toBe(false);
    expect(matches(new Date('2026-12-11T01:00:00Z'))).toBe(false);
  });

  it('supports lists, ranges, steps, names and L', () => {
    expect(cronMatcher('*/15 8-18 ? * MON-FRI *', 'UTC')(new Date('2026-11-20T08:45:00Z'))).toBe(true);
    expect(cronMatcher('*/15 8-18 ? * MON-FRI *', 'UTC')(new Date('2026-11-21T08:45:00Z'))).toBe(false);
    expect(cronMatcher('0 0 L * ? *', 'UTC')(new Date('2026-02-28T00:00:00Z'))).toBe(true);
    expect(cronMatcher('0 0 L * ? *', 'UTC')(new Date('2026-02-27T00:00:00Z'))).toBe(false);
    expect(cronMatcher('5,35 * * JAN,DEC ? 2026', 'UTC')(new Date('2026-12-01T03:35:00Z'))).toBe(true);
  });

  it('fires a rate schedule at its target with its input when armed', async () => {
    vi.useFakeTimers();
    const { lambda, calls } = recordingLambda();
    const scheduler = startScheduler({
      schedules: [schedule({ expression: 'rate(1 minute)' })],
      lambda,
      armTimers: true,
      startExecution: async () => {},
      log: () => {},
    });
    await vi.advanceTimersByTimeAsync(125_000);
    scheduler.close();
    expect(calls).toEqual([
      { fn: 'MonthlyRun', event: { kind: 'monthly' } },
      { fn: 'MonthlyRun', event: { kind: 'monthly' } },
    ]);
  });

  it('fires nothing by itself when not armed, but fire() runs a schedule now', async () => {
    vi.useFakeTimers();
    const { lambda, calls } = recordingLambda();
    const started: string[] = [];
    const scheduler = startScheduler({
      schedules: [
        schedule({ expression: 'rate(1 minute)' }),
        schedule({ logicalId: 'Sweep', target: { kind: 'state-machine', stateMachineArn: 'arn:sm' } }),
      ],
      lambda,
      armTimers: false,
      startExecution: async (arn, input) => {
        started.push(`${arn} ${input}`);
      },
      log: () => {},
    });
    await vi.advanceTimersByTimeAsync(180_000);
    expect(calls).toHaveLength(0);
    await scheduler.fire('Sweep');
    expect(started).toEqual(['arn:sm {"kind":"monthly"}']);
    await expect(scheduler.fire('Nope')).rejects.toThrow(/No schedule Nope/);
    scheduler.close();
  });
});
