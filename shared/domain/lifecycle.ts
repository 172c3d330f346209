import type { Application } from '#domain/application';
import { shanghaiDate } from '#domain/calendar';

const DAY_MS = 86_400_000;

/**
 * Whether the provider has kept its promise (R28): electronic invoices issued and e-mailed,
 * paper invoices shipped, or the application ended without invoices. The deadline watch stops
 * here; what remains (the customer confirming receipt) is not the provider's to do.
 */
export function providerDone(application: Application): boolean {
  switch (application.status) {
    case 'rejected':
    case 'cancelled':
    case 'failed':
    case 'shipped':
    case 'delivered':
      return true;
    case 'issued':
      return application.delivery.medium === 'electronic' && application.emailedAt !== undefined;
    default:
      return false;
  }
}

/** The China day a deadline falls on: the partition its watch item lives in. */
export function deadlineDay(expectedBy: string): string {
  return shanghaiDate(new Date(expectedBy));
}

/**
 * The China days whose deadlines the hourly check reads: today and the `lookbackDays` before.
 * Watch items of older days were handled by earlier runs (told or done), so a run that was
 * missed for less than the lookback loses nothing.
 */
export function daysToCheck(now: Date, lookbackDays: number): string[] {
  const days: string[] = [];
  for (let back = lookbackDays; back >= 0; back--)
    days.push(shanghaiDate(new Date(now.getTime() - back * DAY_MS)));
  return days;
}

/** A paper application moves on when every one of its invoices did. */
export function allReached<T extends { status: string }>(
  invoices: readonly T[],
  statuses: readonly string[],
): boolean {
  return invoices.length > 0 && invoices.every((i) => statuses.includes(i.status));
}
