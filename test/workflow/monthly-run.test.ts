import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInProcessAgainst } from '../../bench/local-stack.ts';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import { shanghaiMonth } from '../../shared/domain/calendar.ts';
import { counterSlotOf, shardOf } from '../../shared/domain/monthly.ts';
import { type OwnStack, ownId, order as paidOrder, startOwnStack } from '../support/own-stack.ts';

/**
 * R31 and invariant 3 on a stack of this file's own: the scheduled monthly run, fired twice,
 * stopped and started again, and its shard step invoked twice for the same page, creates one
 * application per (account, month), ends one marker each, and counts each account once.
 * Pages of 2 accounts and a zero time budget make every shard step hand on a cursor, so the
 * state machine's loop runs too.
 */
let own: OwnStack;
let monthlyArn: string;
const finance = { accountId: 'staff-1', groups: ['finance'] };
/** Accounts opted in by the current test; turned off after it so later runs do not reach them. */
let optedIn: string[] = [];

beforeAll(async () => {
  own = await startOwnStack({
    functionEnv: { MONTHLY_PAGE_SIZE: '2', MONTHLY_SHARD_SECONDS: '0' },
    stepFunctions: { retryIntervalOverrides: { '*': 100 } },
  });
  monthlyArn = own.stack.template.stateMachines.find((m) => m.name.startsWith('invoice-monthly-'))!.arn;
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

afterEach(async () => {
  for (const accountId of optedIn) {
    const off = await own.request('PUT', '/v1/account/auto-invoicing', { accountId }, { enabled: false });
    expect(off.status).toBe(200);
  }
  optedIn = [];
});

const order = (cashAmount: number, entity = 'cn-bj-01', taxRate = '0.06') =>
  paidOrder(ownId('o'), { cashAmount, entity, taxRate });

/** A verified account with the records and a title, opted in to monthly invoicing by e-mail. */
async function optIn(accountId: string, records: Record<string, unknown>[], arrears = 0) {
  if (records.length > 0) await own.givenAccount(accountId, records);
  if (arrears > 0 || records.length === 0) {
    const put = await own.request(
      'PUT',
      `/v1/internal/accounts/${accountId}`,
      { accountId: 'billing-system', groups: ['billing-system'] },
      { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例科技有限公司' }, arrears },
    );
    expect(put.status).toBe(200);
  }
  const titleId = await own.givenTitle(accountId);
  const on = await own.request(
    'PUT',
    '/v1/account/auto-invoicing',
    { accountId },
    {
      enabled: true,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    },
  );
  expect(on.status).toBe(200);
  optedIn.push(accountId);
  return { accountId, titleId };
}

const applicationsOf = async (accountId: string) => {
  const list = await own.request('GET', '/v1/applications?limit=100', { accountId });
  expect(list.status).toBe(200);
  return list.body.items as { applicationId: string; total: number; mode: string }[];
};

const markerOf = async (accountId: string, month: string) =>
  (
    await own.documents.send(
      new GetCommand({
        TableName: own.tableName,
        Key: { pk: `MONTHLY#${accountId}#${month}`, sk: 'MARKER' },
        ConsistentRead: true,
      }),
    )
  ).Item;

const runView = async (month: string, query = '') => {
  const view = await own.request('GET', `/v1/admin/monthly-runs/${month}${query}`, finance);
  expect(view.status).toBe(200);
  return view.body;
};

async function executions(): Promise<{ executionArn: string; status: string; name: string }[]> {
  const { executions: list } = await own.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: monthlyArn, maxResults: 1000 }),
  );
  return (list ?? []) as never;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function finishedExecution(executionArn: string) {
  return until(async () => {
    const e = await own.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return e.status === 'RUNNING' ? undefined : e;
  }, `execution ${executionArn}`);
}

describe('monthly run (R31, invariant 3)', () => {
  it('R31 a schedule delivered twice applies once per account for the month, skips with reasons, and sums once', async () => {
    // Prepare: one account to invoice (two entities), one with nothing, one whose title was deleted, one in arrears
    const month = shanghaiMonth(new Date());
    const invoiced = await optIn(ownId('m-ok'), [order(3_000), order(2_000, 'cn-sh-01', '0.13')]);
    const empty = await optIn(ownId('m-empty'), []);
    const broken = await optIn(ownId('m-broken'), [order(1_000)]);
    expect(
      (await own.request('DELETE', `/v1/titles/${broken.titleId}`, { accountId: broken.accountId })).status,
    ).toBe(204);
    const owing = await optIn(ownId('m-owing'), [order(1_000)], 5_000);
    const before = new Set((await executions()).map((e) => e.executionArn));
    const schedule = own.stack.template.schedules!.find((s) => s.expression === 'cron(0 9 10 * ? *)')!;
    expect(schedule.timezone).toBe('Asia/Shanghai');

    // Act: the scheduler delivers the same event twice, at once
    await Promise.all([
      own.stack.scheduler.fire(schedule.logicalId),
      own.stack.scheduler.fire(schedule.logicalId),
    ]);
    const started = (await executions()).filter((e) => !before.has(e.executionArn));
    expect(started).toHaveLength(2);
    const outcomes = await Promise.all(started.map((e) => finishedExecution(e.executionArn)));

    // Assess: both executions succeed; one application for the account with something to invoice
    expect(
      outcomes.map((o) => o.status),
      JSON.stringify(outcomes.map((o) => [o.error, o.cause])),
    ).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const applications = await applicationsOf(invoiced.accountId);
    expect(applications).toHaveLength(1);
    expect(applications[0]).toMatchObject({ mode: 'amount', total: 5_000 });
    const detail = await own.request('GET', `/v1/applications/${applications[0]!.applicationId}`, {
      accountId: invoiced.accountId,
    });
    expect(detail.body.invoices).toHaveLength(2); // still split by entity and tax rate
    for (const other of [empty, broken, owing]) expect(await applicationsOf(other.accountId)).toHaveLength(0);
    expect(await markerOf(invoiced.accountId, month)).toMatchObject({
      status: 'created',
      applicationId: applications[0]!.applicationId,
      total: 5_000,
    });
    expect((await markerOf(empty.accountId, month))?.reason?.code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
    expect((await markerOf(broken.accountId, month))?.reason?.code).toBe('NOT_FOUND');
    expect((await markerOf(owing.accountId, month))?.reason?.code).toBe('ARREARS_OUTSTANDING');
    const view = await runView(month);
    expect(view).toMatchObject({
      month,
      runId: `monthly-${month}`,
      status: 'completed',
      processed: 4,
      created: 1,
      createdAmount: 5_000,
      skipped: 3,
      skippedByReason: { AMOUNT_EXCEEDS_INVOICEABLE: 1, NOT_FOUND: 1, ARREARS_OUTSTANDING: 1 },
    });
    expect(view.executions).toHaveLength(2);
    expect(view.items.map((i: { accountId: string }) => i.accountId).sort()).toEqual(
      [empty.accountId, broken.accountId, owing.accountId].sort(),
    );
    // The skipped list pages with an opaque cursor.
    const first = await runView(month, '?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await runView(month, `?limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((i: { accountId: string }) => i.accountId)).toEqual(
      view.items.map((i: { accountId: string }) => i.accountId),
    );
    expect(second.nextCursor).toBeUndefined();
    // Only finance reads runs.
    expect(
      (await own.request('GET', `/v1/admin/monthly-runs/${month}`, { accountId: invoiced.accountId })).status,
    ).toBe(403);

    // Act again: a third, late delivery after the run completed does nothing
    await own.stack.scheduler.fire(schedule.logicalId);
    const late = (await executions()).filter((e) => !before.has(e.executionArn));
    expect(late).toHaveLength(3);
    await Promise.all(late.map((e) => finishedExecution(e.executionArn)));
    expect(await applicationsOf(invoiced.accountId)).toHaveLength(1);
    expect(await runView(month)).toMatchObject({ processed: 4, created: 1, skipped: 3 });
  }, 180_000);

  it('R31 a run stopped halfway and started again applies once per account and counts each once', async () => {
    // Prepare
    const month = '2031-01';
    const accounts = await Promise.all(
      Array.from({ length: 24 }, (_, i) => optIn(ownId(`m-stop${i}`), [order(1_000 + i)])),
    );
    const markers = async () =>
      (await Promise.all(accounts.map((a) => markerOf(a.accountId, month)))).filter(
        (m) => m?.status === 'created',
      ).length;

    // Act: start as `npm run monthly` does, stop once some accounts are done, start again
    const first = await own.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: monthlyArn,
        name: `monthly-${month}`,
        input: JSON.stringify({ month }),
      }),
    );
    await until(async () => ((await markers()) > 0 ? true : undefined), 'a first account done');
    await own.sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    const atStop = await markers();
    expect((await finishedExecution(first.executionArn!)).status).toBe('ABORTED');
    const second = await own.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: monthlyArn,
        name: `monthly-${month}-restart`,
        input: JSON.stringify({ month }),
      }),
    );
    const outcome = await finishedExecution(second.executionArn!);

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(JSON.parse(outcome.output!)).toMatchObject({ month, processed: 24, created: 24, skipped: 0 });
    expect(atStop).toBeLessThan(24);
    for (const account of accounts) {
      const applications = await applicationsOf(account.accountId);
      expect(applications, account.accountId).toHaveLength(1);
      expect((await markerOf(account.accountId, month))?.applicationId).toBe(applications[0]!.applicationId);
    }
    const total = accounts.reduce((sum, _, i) => sum + 1_000 + i, 0);
    expect(await runView(month)).toMatchObject({
      status: 'completed',
      processed: 24,
      created: 24,
      createdAmount: total,
    });
  }, 180_000);

  it('R31 a shard step retried for the same page, and a step that died after creating, apply once per account', async () => {
    // Prepare: four accounts of one shard, so one page of the shard step covers two of them
    const month = '2031-02';
    const ids: string[] = [];
    const shard = shardOf(ownId('x'));
    while (ids.length < 4) {
      const id = ownId('m-retry');
      if (shardOf(id) === shard) ids.push(id);
    }
    const accounts = await Promise.all(ids.map((id) => optIn(id, [order(2_000)])));
    // The step died after its create call: the marker is claimed and the application exists.
    const crashed = accounts[3]!;
    await own.documents.send(
      new PutCommand({
        TableName: own.tableName,
        Item: {
          pk: `MONTHLY#${crashed.accountId}#${month}`,
          sk: 'MARKER',
          accountId: crashed.accountId,
          month,
          status: 'claimed',
          amount: 2_000,
          titleId: crashed.titleId,
          delivery: { medium: 'electronic', email: `${crashed.accountId}@example.com` },
        },
      }),
    );
    // What the run's create call sent: the customer's create path with the month's Idempotency-Key.
    const token = await signLocalToken(own.stack.jwtSecret, { accountId: crashed.accountId });
    const early = await fetch(`${own.stack.apiUrl}/v1/applications`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `monthly-invoicing:${month}`,
      },
      body: JSON.stringify({
        mode: 'amount',
        amount: 2_000,
        titleId: crashed.titleId,
        delivery: { medium: 'electronic', email: `${crashed.accountId}@example.com` },
      }),
    });
    expect(early.status).toBe(201);
    const earlyId = ((await early.json()) as { applicationId: string }).applicationId;
    const startRun = own.functionNamed('MonthlyStartRunFunction');
    const step = own.functionNamed('MonthlyProcessShardFunction');
    await own.stack.lambda.invoke(startRun, { input: { month }, execution: 'test' });

    // Act: the same first page twice at once, again after, then the shard to its end
    const page = { month, shard };
    const [a, b] = (await Promise.all([
      own.stack.lambda.invoke(step, page),
      own.stack.lambda.invoke(step, page),
    ])) as {
      cursor: string;
      done: boolean;
    }[] as [{ cursor: string; done: boolean }, { cursor: string; done: boolean }];
    const again = (await own.stack.lambda.invoke(step, page)) as { cursor: string; done: boolean };
    let progress = again;
    while (!progress.done) {
      progress = (await own.stack.lambda.invoke(step, { month, shard, cursor: progress.cursor })) as never;
    }
    await own.stack.lambda.invoke(step, { month, shard, cursor: a.cursor });
    const summary = (await own.stack.lambda.invoke(own.functionNamed('MonthlySummarizeRunFunction'), {
      month,
    })) as Record<string, unknown>;

    // Assess: the page of two was handed on with the same cursor each time
    expect(a).toMatchObject({ done: false, cursor: b.cursor });
    expect(again.cursor).toBe(a.cursor);
    for (const account of accounts.slice(0, 3)) {
      const applications = await applicationsOf(account.accountId);
      expect(applications, account.accountId).toHaveLength(1);
      expect(await markerOf(account.accountId, month)).toMatchObject({
        status: 'created',
        applicationId: applications[0]!.applicationId,
      });
    }
    // The step that died had created it: the retry found that application, made no second one.
    expect((await applicationsOf(crashed.accountId)).map((x) => x.applicationId)).toEqual([earlyId]);
    expect(await markerOf(crashed.accountId, month)).toMatchObject({
      status: 'created',
      applicationId: earlyId,
    });
    expect(summary).toMatchObject({ month, processed: 4, created: 4, createdAmount: 8_000, skipped: 0 });
    // The shard's counters, summed over its items (one per slot its accounts hash to).
    const shardItems =
      (
        await own.documents.send(
          new QueryCommand({
            TableName: own.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': `MONTHLY_RUN#${month}`, ':sk': `SHARD#${shard}#` },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const sum = (field: string) => shardItems.reduce((total, item) => total + Number(item[field] ?? 0), 0);
    expect([sum('processed'), sum('created'), sum('createdAmount')]).toEqual([4, 4, 8_000]);
    expect(shardItems.map((item) => item.sk)).toEqual(
      [...new Set(ids.map((id) => `SHARD#${shard}#${counterSlotOf(id)}`))].sort(),
    );
  }, 180_000);
});

/** What a DynamoDB call of the account step carries, as far as these tests look. */
interface StepCall {
  command: string;
  input: {
    RequestItems?: Record<string, { Keys: { pk: string; sk: string }[] }>;
    TransactItems?: { Put?: { Item?: { pk?: string } } }[];
  };
}

type AccountStep = (accountId: string, month: string, now: Date) => Promise<string>;

/**
 * Runs the run's account step in this process against the stack, every DynamoDB call shown to
 * `watch` before it is sent (a throw fails the call unsent), until `act` is done.
 */
async function watchingTheStep(
  watch: (call: StepCall) => Promise<void> | void,
  act: (processAccount: AccountStep) => Promise<void>,
): Promise<void> {
  runInProcessAgainst(own.stack);
  const { processAccount } = await import('#use-cases/monthly-run');
  const { documentClient } = await import('#adapters/dynamodb');
  const name = 'watch-the-account-step';
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      await watch({ command: String(context.commandName), input: args.input as StepCall['input'] });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await act(processAccount);
  } finally {
    documentClient.middlewareStack.remove(name);
  }
}

/** One application by amount for the account, of `total`, and its month's marker created naming it. */
async function expectCreatedOnce(accountId: string, month: string, total: number): Promise<void> {
  const applications = await applicationsOf(accountId);
  expect(applications).toHaveLength(1);
  expect(applications[0]).toMatchObject({ total, mode: 'amount' });
  expect(await markerOf(accountId, month)).toMatchObject({
    status: 'created',
    applicationId: applications[0]!.applicationId,
    total,
  });
}

/** The accepting transaction: the one that ends the account's marker for the month. */
const endsMarker = ({ command, input }: StepCall, accountId: string, month: string) =>
  command.startsWith('TransactWrite') &&
  input.TransactItems?.some((i) => i.Put?.Item?.pk === `MONTHLY#${accountId}#${month}`) === true;

describe('monthly run: the marker ends in the application’s own transaction (invariant 3)', () => {
  it('R31 a create transaction that fails leaves no marker, no count and no reservation; the next attempt creates once', async () => {
    // Prepare: one opted-in account; the transaction that carries its marker dies once, as a
    // process would mid-write
    const month = '2031-04';
    const account = await optIn(ownId('m-atomic'), [order(1_700)]);
    let failed = 0;
    const dieOnce = (call: StepCall) => {
      if (endsMarker(call, account.accountId, month) && failed === 0) {
        failed++;
        throw new Error('the process died');
      }
    };
    await watchingTheStep(dieOnce, async (processAccount) => {
      // Act 1
      await expect(processAccount(account.accountId, month, new Date())).rejects.toThrow('the process died');

      // Assess 1: nothing of it is stored
      expect(failed).toBe(1);
      expect(await markerOf(account.accountId, month)).toBeUndefined();
      expect(await applicationsOf(account.accountId)).toEqual([]);
      const ledger = await own.request('GET', '/v1/invoiceable', { accountId: account.accountId });
      expect(ledger.body.formula).toMatchObject({ amount: 1_700, reserved: 0 });

      // Act 2: the retried step, then a third attempt
      const second = await processAccount(account.accountId, month, new Date());
      const third = await processAccount(account.accountId, month, new Date());

      // Assess 2: created once, counted once, the marker naming it
      expect([second, third]).toEqual(['created', 'already']);
      await expectCreatedOnce(account.accountId, month, 1_700);
      const counters = await own.documents.send(
        new QueryCommand({
          TableName: own.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `MONTHLY_RUN#${month}` },
          ConsistentRead: true,
        }),
      );
      expect(counters.Items?.map((i) => [i.processed, i.created, i.createdAmount])).toEqual([[1, 1, 1_700]]);
    });
  });

  it('R31 an account’s profile and ledger are read once; a ledger moved meanwhile is read afresh', async () => {
    // Prepare: one opted-in account, every batch read of its step noted; the billing system
    // updates the profile (moving the ledger version) between the reads and the acceptance
    const month = '2031-03';
    const account = await optIn(ownId('m-reads'), [order(1_700)]);
    const ledgerKey = `ACCOUNT#${account.accountId}|LEDGER`;
    const reads: string[][] = [];
    let moved = false;
    const noteAndMove = async (call: StepCall) => {
      if (call.command.startsWith('BatchGet')) {
        reads.push(
          Object.values(call.input.RequestItems ?? {}).flatMap((r) => r.Keys.map((k) => `${k.pk}|${k.sk}`)),
        );
      }
      if (endsMarker(call, account.accountId, month) && !moved) {
        moved = true;
        const put = await own.request(
          'PUT',
          `/v1/internal/accounts/${account.accountId}`,
          { accountId: 'billing-system', groups: ['billing-system'] },
          { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例科技有限公司' }, arrears: 0 },
        );
        expect(put.status).toBe(200);
      }
    };
    await watchingTheStep(noteAndMove, async (processAccount) => {
      // Act
      const outcome = await processAccount(account.accountId, month, new Date());

      // Assess: created once; the ledger read by the step and again only by the retry
      expect(outcome).toBe('created');
      expect(moved).toBe(true);
      expect(reads.filter((keys) => keys.includes(ledgerKey))).toHaveLength(2);
      expect(reads[1]).toEqual([`ACCOUNT#${account.accountId}|TITLE#${account.titleId}`]);
      await expectCreatedOnce(account.accountId, month, 1_700);
    });
  });
});
