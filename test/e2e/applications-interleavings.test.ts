import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor, daysAgo, givenAccount, order, uniqueId } from '../support/api.ts';
import { documents } from '../support/aws.ts';
import { useFunctionEnvironment } from '../support/in-process.ts';

/**
 * Invariant 1 under interleavings: the use cases themselves (create, cancel, the workflow's
 * failure Catch), run in this process against the stack's DynamoDB Local and Step Functions,
 * in random sequences of steps, each step a few commands at once, some of them retries.
 * After every step, every record must satisfy invoiced + reserved + available = what it may
 * be invoiced for (never below zero), and each record's reservation must be exactly what the
 * open applications hold of it, and the account's ledger aggregates must be exactly what its
 * records give (no drift, every exception listed).
 */

type UseCases = {
  createApplication: typeof import('#use-cases/applications').createApplication;
  cancelApplication: typeof import('#use-cases/cancel-application').cancelApplication;
  failApplication: typeof import('#use-cases/workflow/fail').failApplication;
  getApplication: typeof import('#adapters/application-repository').getApplication;
  DomainError: typeof import('#domain/errors').DomainError;
  NoticeInFlightError: typeof import('#domain/workflow-errors').NoticeInFlightError;
  checkLedger: typeof import('#use-cases/ledger-repair').checkLedger;
};
let useCases: UseCases;

beforeAll(async () => {
  // A long window: the workflows wait while the commands below decide each application's fate.
  useFunctionEnvironment({ CANCEL_WINDOW: 'PT1H' });
  const [applications, cancel, fail, repository, errors, workflowErrors, repair] = await Promise.all([
    import('#use-cases/applications'),
    import('#use-cases/cancel-application'),
    import('#use-cases/workflow/fail'),
    import('#adapters/application-repository'),
    import('#domain/errors'),
    import('#domain/workflow-errors'),
    import('#use-cases/ledger-repair'),
  ]);
  useCases = {
    createApplication: applications.createApplication,
    cancelApplication: cancel.cancelApplication,
    failApplication: fail.failApplication,
    getApplication: repository.getApplication,
    DomainError: errors.DomainError,
    NoticeInFlightError: workflowErrors.NoticeInFlightError,
    checkLedger: repair.checkLedger,
  };
});

type Command =
  | { kind: 'apply-amount'; amount: number; title: 0 | 1; key: boolean }
  | { kind: 'apply-orders'; records: number[]; title: 0 | 1; key: boolean }
  | { kind: 'cancel'; target: number }
  | { kind: 'fail'; target: number }
  | { kind: 'retry' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('apply-amount' as const),
    amount: fc.integer({ min: 1, max: 9_000 }),
    title: fc.constantFrom(0 as const, 1 as const),
    key: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('apply-orders' as const),
    records: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
    title: fc.constantFrom(0 as const, 1 as const),
    key: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), target: fc.nat(9) }),
  fc.record({ kind: fc.constant('fail' as const), target: fc.nat(9) }),
  fc.constant({ kind: 'retry' as const }),
);

const scenarioArb = fc.record({
  cash: fc.array(fc.integer({ min: 100, max: 5_000 }), { minLength: 4, maxLength: 4 }),
  refund: fc.integer({ min: 0, max: 99 }),
  steps: fc.array(fc.array(commandArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 }),
});

interface World {
  accountId: string;
  recordIds: string[];
  titleIds: [string, string];
  applications: string[];
  /** The last command that did something, with what made it unique (its key). */
  last?: { command: Command; key?: string };
}

async function newWorld(cash: number[], refundPercent: number): Promise<World> {
  const accountId = uniqueId('prop');
  const recordIds = cash.map((_, i) => `${accountId}-o${i}`);
  const refund = Math.floor((cash[0]! * refundPercent) / 100);
  await givenAccount(accountId, {
    records: [
      ...cash.map((cashAmount, i) => order(recordIds[i]!, { cashAmount, paidAt: daysAgo(30 - i) })),
      ...(refund > 0
        ? [order(`${accountId}-rf`, { kind: 'refund', cashAmount: -refund, parentRecordId: recordIds[0] })]
        : []),
    ],
  });
  const api = await clientFor(accountId);
  const titles = await Promise.all(
    ['杭州示例科技有限公司', '杭州另一家公司'].map((name) =>
      api.post('/v1/titles', { type: 'enterprise-ordinary', name, taxId: '91330106MA2H00006X' }),
    ),
  );
  return {
    accountId,
    recordIds,
    titleIds: [titles[0]!.body.titleId, titles[1]!.body.titleId],
    applications: [],
  };
}

async function run(world: World, command: Command, now: Date): Promise<void> {
  const { createApplication, cancelApplication, failApplication } = useCases;
  const effective = command.kind === 'retry' ? world.last?.command : command;
  if (!effective) return;
  const retryKey = command.kind === 'retry' ? world.last?.key : undefined;
  switch (effective.kind) {
    case 'apply-amount':
    case 'apply-orders': {
      const key = retryKey ?? (effective.key ? uniqueId('k') : undefined);
      world.last = { command: effective, key };
      const body =
        effective.kind === 'apply-amount'
          ? { mode: 'amount' as const, amount: effective.amount }
          : { mode: 'orders' as const, recordIds: effective.records.map((i) => world.recordIds[i]!) };
      const result = await createApplication(
        world.accountId,
        {
          ...body,
          titleId: world.titleIds[effective.title],
          delivery: { medium: 'electronic', email: 'prop@example.com' },
        },
        key,
        now,
      );
      const { applicationId } = result.body as { applicationId: string };
      if (!world.applications.includes(applicationId)) world.applications.push(applicationId);
      return;
    }
    case 'cancel':
    case 'fail': {
      world.last = { command: effective };
      const applicationId = world.applications[effective.target % Math.max(1, world.applications.length)];
      if (!applicationId) return;
      if (effective.kind === 'cancel') await cancelApplication(world.accountId, applicationId, now);
      else await failApplication({ applicationId, error: { Error: 'InjectedFailure' } });
      return;
    }
  }
}

async function recordsOf(accountId: string): Promise<Record<string, any>[]> {
  const { Items } = await documents().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': 'RECORD#' },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

const OPEN = new Set(['submitted', 'in-review', 'issuing']);

async function expectInvariant1(world: World, context: string): Promise<void> {
  const records = (await recordsOf(world.accountId)).filter((r) => r.kind === 'order');
  const applications = await Promise.all(world.applications.map((id) => useCases.getApplication(id)));
  const held = new Map<string, number>();
  for (const application of applications) {
    if (!application || !OPEN.has(application.status)) continue;
    for (const a of application.allocations) held.set(a.recordId, (held.get(a.recordId) ?? 0) + a.amount);
  }
  for (const r of records) {
    const where = `${context}: record ${r.recordId}`;
    const net = r.cashAmount + r.negativesAmount;
    expect(r.reservedAmount, where).toBeGreaterThanOrEqual(0);
    expect(r.invoicedAmount, where).toBeGreaterThanOrEqual(0);
    expect(r.availableAmount, where).toBeGreaterThanOrEqual(0);
    expect(r.invoicedAmount + r.reservedAmount + r.availableAmount, where).toBe(net);
    expect(r.reservedAmount, where).toBe(held.get(r.recordId) ?? 0);
  }
  const check = await useCases.checkLedger(world.accountId, new Date(), false);
  expect(check.drift, `${context}: aggregates`).toEqual([]);
  expect(check.unlistedExceptions, `${context}: exceptions`).toEqual([]);
}

describe('interleaved apply, cancel, fail and retry (property, DynamoDB Local)', () => {
  it('invariant 1 and invariant 5 hold on every record after every step', async () => {
    let runs = 0;
    let commands = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ cash, refund, steps }) => {
        // Prepare
        runs++;
        const world = await newWorld(cash, refund);
        await expectInvariant1(world, 'seeded');

        for (const [n, step] of steps.entries()) {
          // Act: the step's commands at once
          const now = new Date();
          const settled = await Promise.allSettled(step.map((command) => run(world, command, now)));

          // Assess: only expected answers, never anything else; then the ledger
          commands += step.length;
          for (const result of settled) {
            // A domain answer (409, 422…), or the failure Catch's transient error when two
            // failures of one application notify at once (Step Functions retries it).
            const label =
              result.status === 'fulfilled'
                ? 'ok'
                : result.reason instanceof useCases.DomainError
                  ? result.reason.code
                  : result.reason instanceof useCases.NoticeInFlightError
                    ? result.reason.name
                    : 'UNEXPECTED';
            outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
            if (label === 'UNEXPECTED') throw result.status === 'rejected' ? result.reason : new Error(label);
          }
          await expectInvariant1(world, `step ${n} ${JSON.stringify(step)}`);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
    console.log(
      `interleavings: ${runs} runs, ${commands} commands, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(runs);
  }, 120_000);
});
