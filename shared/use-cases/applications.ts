import { randomUUID } from 'node:crypto';
import { createApplication as storeApplication } from '#adapters/application-creation';
import type { TransactItem } from '#adapters/dynamodb';
import { expiresAt, getIdempotency, hashRequest, IDEMPOTENCY_TTL_SECONDS } from '#adapters/idempotency';
import { correlationId, logger } from '#adapters/logger';
import { startApplicationWorkflow } from '#adapters/workflow-client';
import * as settings from '#config/settings';
import { type Application, splitIntoInvoices } from '#domain/application';
import { endOfShanghaiDay, parseIsoDuration } from '#domain/calendar';
import { ConflictError, DomainError, IdempotencyKeyReusedError } from '#domain/errors';
import { sumFen } from '#domain/money';
import { snapshotTitle } from '#domain/title';
import { addWorkingDays } from '#domain/working-days';
import type { CreateApplicationBody } from '#schemas/applications';
import { type ApplicationPlan, planApplication } from '#use-cases/application-plan';
import { applicationView } from '#use-cases/views';

const MAX_CONFLICT_RETRIES = 3;
/** How long a repeated request waits for the first one's chunked reservation to finish. */
const PENDING_REPLAY_WAIT_MS = 5_000;

/** What an application is accepted with; `applicationId` when the caller must know it first (R32). */
export type Planner = (now: Date) => Promise<ApplicationPlan & { applicationId?: string }>;

/**
 * A planner whose first attempt is `first`, planned on what its caller has just read (the
 * accepting transaction holds the plan to the ledger and records as read), and whose retries
 * after a conflict are `again`, which read afresh.
 */
export function firstThen(first: Planner, again: Planner): Planner {
  let tried = false;
  return (now) => {
    if (tried) return again(now);
    tried = true;
    return first(now);
  };
}

export interface CreateResult {
  statusCode: number;
  body: unknown;
}

/**
 * Accepts an application (R4, R7, R12, R14–R19, R23, R24): checks who may apply and with
 * what, allocates and splits, reserves atomically, then starts the workflow. A concurrent
 * change of the same ledger is retried from a fresh read a few times before answering 409.
 *
 * Idempotency-Key (API.md): the same key and body answer the first response again, also
 * when both arrive at once (the key's item is written in the reserving transaction, so only
 * one can win; the other answers with the winner's response); another body is refused.
 */
export async function createApplication(
  accountId: string,
  body: CreateApplicationBody,
  idempotencyKey: string | undefined,
  now: Date,
  /** How long the Idempotency-Key's answer is kept: 24 h (API.md) unless a caller needs longer (R31). */
  idempotencyTtlSeconds = IDEMPOTENCY_TTL_SECONDS,
  /** R32: an organization's application plans its own checks and allocations; the rest is this path. */
  plan: Planner = (now) => planApplication(accountId, body, now),
  /**
   * Look the key up before planning. A caller that has just claimed the work the key stands
   * for (the monthly run's marker) knows nothing was accepted under it yet and skips the read;
   * a concurrent request with the key is still answered (the reserving transaction lets one
   * win and the other replays the winner, below).
   */
  lookUpFirst = true,
  /**
   * Items written in the accepting transaction, all or nothing with the application (the
   * monthly run ends its marker there), from the application as it is about to be stored.
   */
  alongside?: (application: Application) => TransactItem[],
): Promise<CreateResult> {
  const requestHash = hashRequest(body);
  for (let attempt = 0; ; attempt++) {
    if (idempotencyKey && attempt === 0 && lookUpFirst) {
      const previous = await replay(accountId, idempotencyKey, requestHash);
      if (previous) return previous;
    }
    try {
      return await acceptOnce(
        accountId,
        body,
        idempotencyKey,
        requestHash,
        now,
        idempotencyTtlSeconds,
        plan,
        alongside,
      );
    } catch (error) {
      if (idempotencyKey && error instanceof DomainError) {
        // The same request may have won meanwhile (its reservation is why this one failed).
        const previous = await replay(accountId, idempotencyKey, requestHash);
        if (previous) return previous;
      }
      if (!(error instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

async function replay(
  accountId: string,
  key: string,
  requestHash: string,
): Promise<CreateResult | undefined> {
  const deadline = Date.now() + PENDING_REPLAY_WAIT_MS;
  for (;;) {
    const stored = await getIdempotency(accountId, key);
    if (!stored) return undefined;
    if (stored.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request body.');
    }
    if (!stored.pending) return { statusCode: stored.statusCode, body: stored.body };
    if (Date.now() > deadline) {
      throw new ConflictError('The first request with this Idempotency-Key is still being processed; retry.');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function acceptOnce(
  accountId: string,
  body: CreateApplicationBody,
  idempotencyKey: string | undefined,
  requestHash: string,
  now: Date,
  idempotencyTtlSeconds: number,
  plan: Planner,
  alongside: ((application: Application) => TransactItem[]) | undefined,
): Promise<CreateResult> {
  const {
    account,
    title,
    delivery,
    allocations,
    whole,
    applicationId = `app_${randomUUID()}`,
  } = await plan(now);
  const invoices = splitIntoInvoices(allocations, () => `inv_${randomUUID()}`);
  const submittedAt = now.toISOString();
  const application: Application = {
    applicationId,
    accountId,
    status: 'submitted',
    mode: body.mode,
    total: sumFen(invoices.map((i) => i.amount)),
    invoices,
    allocations,
    title: snapshotTitle(title),
    delivery,
    submittedAt,
    cancellableUntil: cancellationDeadline(now).toISOString(),
    expectedBy: addWorkingDays(now, settings.expectedWorkingDays()).toISOString(),
    timeline: [{ at: submittedAt, status: 'submitted' }],
    ...(correlationId() ? { correlationId: correlationId() } : {}),
  };
  const view = applicationView(application);
  // Invariant 4: the workflow starts before the application is stored, so an accepted
  // application always has one. A start that fails leaves the application on the sweeper's
  // list instead, which starts it later. A workflow whose application is never stored (the
  // transaction failed, the process died) finds nothing once `acceptBy` has passed and ends.
  const workflowStarted = await startWorkflow(application);
  await storeApplication({
    application,
    ledgerVersion: account.ledgerVersion,
    lastUsed: { titleId: title.titleId, delivery },
    whole,
    workflowStarted,
    alongside: alongside?.(application),
    idempotency: idempotencyKey
      ? {
          key: idempotencyKey,
          requestHash,
          statusCode: 201,
          body: view,
          expiresAt: expiresAt(now, idempotencyTtlSeconds),
        }
      : undefined,
  });
  logger.info('application accepted', {
    applicationId,
    total: application.total,
    invoices: invoices.length,
    records: allocations.length,
    ...(workflowStarted ? {} : { workflow: 'left for the sweeper' }),
  });
  return { statusCode: 201, body: view };
}

/**
 * How long after submission a workflow may find its application not yet stored: longer than
 * a create request lives (the API answers within 29 s; the create function runs ≤ 25 s).
 */
export const ACCEPT_WINDOW_MS = 60_000;

async function startWorkflow(application: Application): Promise<boolean> {
  try {
    await startApplicationWorkflow({
      applicationId: application.applicationId,
      accountId: application.accountId,
      waitUntil: application.cancellableUntil,
      // The clock, not the submission instant: a monthly run submits with its run's instant.
      acceptBy: new Date(Date.now() + ACCEPT_WINDOW_MS).toISOString(),
      correlationId: application.correlationId ?? application.applicationId,
    });
    return true;
  } catch (error) {
    logger.error('workflow start failed; left for the sweeper', {
      applicationId: application.applicationId,
      error: error as Error,
    });
    return false;
  }
}

/** R24: 24:00 Asia/Shanghai of the submission day, or a fixed window (local runs). */
export function cancellationDeadline(submittedAt: Date): Date {
  const window = settings.cancelWindow();
  return window === 'end-of-day'
    ? endOfShanghaiDay(submittedAt)
    : new Date(submittedAt.getTime() + parseIsoDuration(window));
}
