import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvocationError } from '../../scripts/local/types.ts';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * Invariants 2, 3 and 5 under injected faults, on the synthesized state machine.
 *
 * How faults are injected: this file runs its own local stack and wraps its Lambda runtime's
 * `invoke` — the one seam every Task goes through, exactly where AWS Lambda would fail or
 * deliver twice. A fault plan names an account and a function; calls for other applications
 * or functions pass through untouched, so the production handlers carry no
 * test-only code and scenarios run side by side. A plan is keyed by the application's account
 * (each scenario applies from an account of its own) and registered before the application is
 * created, so no Task can run before its plan is in place. The faults:
 * - transient: the handler runs and does its work, then the invocation reports a timeout
 *   (Sandbox.Timedout), the hardest one-off failure: the effect happened, the state retries;
 * - permanent: the invocation fails with PermanentTaskError every time (not retried, caught);
 * - duplicate: the handler runs twice at once for one invocation (at-least-once delivery);
 *   the state sees the first run's outcome;
 * - held: the invocation starts late, after something else happened (a race).
 * Retry intervals are shortened to 100 ms; the backoff itself is asserted in test/infra.
 */

type Fault = 'transient' | 'permanent' | 'duplicate' | 'held';
interface Plan {
  functionId: string;
  fault: Fault;
  calls: number;
  runs: number;
  /** 'held': the invocation starts once this settles (a slow cold start, a delayed delivery). */
  gate?: Promise<void>;
}

const TASKS = [
  'Review',
  'IssueInvoices',
  'DeliverInvoices',
  'AwaitFinanceDecision',
  'FailApplication',
] as const;
type Task = (typeof TASKS)[number];

let own: OwnStack;
/** Fault plans by account id; an application's Tasks find them through its account. */
const plans = new Map<string, Plan[]>();
const accounts = new Map<string, string>();
const FINANCE = 'finance@example.com';
const finance = { accountId: 'finance-staff', groups: ['finance'] };

beforeAll(async () => {
  own = await startOwnStack({ stepFunctions: { retryIntervalOverrides: { '*': 100 } } });
  const invoke = own.stack.lambda.invoke.bind(own.stack.lambda);
  own.stack.lambda.invoke = async (functionId: string, event: unknown) => {
    const input = event as { applicationId?: string; accountId?: string } | null;
    const applicationId = input?.applicationId;
    // Review gets the workflow's input, account included: it may run before the application
    // is stored (the workflow starts first), and its faults still apply then.
    const accountId = input?.accountId ?? (applicationId ? await accountOf(applicationId) : undefined);
    const plan = accountId ? plans.get(accountId)?.find((p) => p.functionId === functionId) : undefined;
    if (!plan) return invoke(functionId, event);
    plan.calls++;
    const run = () => {
      plan.runs++;
      return invoke(functionId, event);
    };
    switch (plan.fault) {
      case 'permanent':
        throw new LambdaInvocationError('PermanentTaskError', 'injected permanent failure');
      case 'transient': {
        const result = await run();
        if (plan.calls === 1)
          throw new LambdaInvocationError('Sandbox.Timedout', 'injected: timed out after its work');
        return result;
      }
      case 'held':
        await plan.gate;
        return run();
      case 'duplicate': {
        const [first] = await Promise.allSettled([run(), run()]);
        if (first.status === 'rejected') throw first.reason;
        return first.value;
      }
    }
  };
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

/** The account an application belongs to, read once from its item. */
async function accountOf(applicationId: string): Promise<string | undefined> {
  const known = accounts.get(applicationId);
  if (known) return known;
  const accountId = (await applicationItem(applicationId))?.accountId as string | undefined;
  if (accountId) accounts.set(applicationId, accountId);
  return accountId;
}

type Planned = [task: Task, fault: Fault, gate?: Promise<void>];

/**
 * Two invoices (two entities); above the review threshold when `review`. The faults are planned
 * for the new account before the application is created; `plans` are theirs, in order.
 */
async function apply(review: boolean, ...faults: Planned[]) {
  const accountId = ownId('fault');
  const email = `${accountId}@example.com`;
  const scale = review ? 5_000 : 1;
  await own.givenAccount(accountId, [
    order(ownId('o'), { cashAmount: 3_000 * scale }),
    order(ownId('o'), { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 2_000 * scale }),
  ]);
  const customer = { accountId };
  const titleId = await own.givenTitle(accountId);
  const planned = faults.map(([task, fault, gate]) => inject(accountId, task, fault, gate));
  const created = await own.request('POST', '/v1/applications', customer, {
    mode: 'amount',
    amount: 5_000 * scale,
    titleId,
    delivery: { medium: 'electronic', email },
  });
  expect(created.status).toBe(201);
  expect(created.body.invoices).toHaveLength(2);
  return {
    accountId,
    email,
    applicationId: created.body.applicationId as string,
    total: 5_000 * scale,
    plans: planned,
  };
}

function inject(accountId: string, task: Task, fault: Fault, gate?: Promise<void>): Plan {
  const plan: Plan = { functionId: own.taskFunction(task), fault, calls: 0, runs: 0, gate };
  plans.set(accountId, [...(plans.get(accountId) ?? []), plan]);
  return plan;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const applicationItem = async (applicationId: string) =>
  (
    await own.documents.send(
      new GetCommand({
        TableName: own.tableName,
        Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
        ConsistentRead: true,
      }),
    )
  ).Item as Record<string, any>;

const executionArn = (applicationId: string) =>
  `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${applicationId}`;

/** The states entered after the execution was redriven (docs/runbooks.md). */
async function statesEnteredSinceRedrive(applicationId: string): Promise<string[]> {
  const { events = [] } = await own.sfn.send(
    new GetExecutionHistoryCommand({ executionArn: executionArn(applicationId), maxResults: 1000 }),
  );
  const redriven = events.findIndex((e) => e.type === 'ExecutionRedriven');
  expect(redriven).toBeGreaterThan(0);
  return events
    .slice(redriven)
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map((e) => String(e.stateEnteredEventDetails?.name));
}

async function finished(applicationId: string) {
  const arn = executionArn(applicationId);
  return until(async () => {
    const execution = await own.sfn
      .send(new DescribeExecutionCommand({ executionArn: arn }))
      .catch(() => undefined);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  }, `execution ${applicationId}`);
}

/** Parks in review, then finance approves over HTTP. */
async function approveWhenParked(applicationId: string) {
  await until(async () => {
    const item = await applicationItem(applicationId);
    return item?.status === 'in-review' && item.reviewTaskToken ? item : undefined;
  }, 'the application to wait for finance');
  const decided = await own.request('POST', `/v1/admin/applications/${applicationId}/decision`, finance, {
    approve: true,
  });
  expect(decided.status).toBe(200);
}

interface Expected {
  execution: 'SUCCEEDED' | 'FAILED';
  status: 'delivered' | 'failed' | 'issued';
  invoices: number;
  issuedMails: number;
  failedMails: number;
  financeMails: number;
}

/** Invariants 2, 3 and 5 for one application, and where it ended. */
async function assertOutcome(run: Awaited<ReturnType<typeof apply>>, expected: Expected) {
  const execution = await finished(run.applicationId);
  expect(execution.status).toBe(expected.execution);
  const application = await applicationItem(run.applicationId);
  expect(application.status).toBe(expected.status);

  // Invariant 5 (and 1 per record): nothing stays reserved; invoiced + available = cash.
  const records = await own.recordsOf(run.accountId);
  for (const record of records) {
    expect(record.reservedAmount, record.recordId).toBe(0);
    expect(record.invoicedAmount + record.availableAmount, record.recordId).toBe(record.cashAmount);
  }
  // Invariants 2 and 3: each planned invoice exists at most once, with its own number.
  const invoices = (
    await Promise.all(
      (application.invoices as { invoiceId: string }[]).map(
        async ({ invoiceId }) =>
          (
            await own.documents.send(
              new GetCommand({
                TableName: own.tableName,
                Key: { pk: `INVOICE#${invoiceId}`, sk: 'INVOICE' },
              }),
            )
          ).Item,
      ),
    )
  ).filter((i) => i !== undefined);
  expect(invoices).toHaveLength(expected.invoices);
  expect(new Set(invoices.map((i) => i.invoiceNumber)).size).toBe(invoices.length);
  const invoiced = records.reduce((sum, r) => sum + r.invoicedAmount, 0);
  expect(invoiced).toBe(invoices.reduce((sum, i) => sum + i.amount, 0));

  // Invariant 3 for e-mails: each notice once.
  const mails = await own.mailTo(run.email);
  expect(mails.filter((m) => m.subject.startsWith('您的发票已开具'))).toHaveLength(expected.issuedMails);
  expect(mails.filter((m) => m.subject.startsWith('您的开票申请处理失败'))).toHaveLength(
    expected.failedMails,
  );
  expect(mails).toHaveLength(expected.issuedMails + expected.failedMails);
  if (expected.issuedMails > 0) {
    expect(mails[0]!.attachments.filter((a) => a.contentType === 'application/pdf')).toHaveLength(2);
  }
  const toFinance = (await own.mailTo(FINANCE)).filter((m) => m.subject.includes(run.applicationId));
  expect(toFinance).toHaveLength(expected.financeMails);
  return application;
}

const DELIVERED: Expected = {
  execution: 'SUCCEEDED',
  status: 'delivered',
  invoices: 2,
  issuedMails: 1,
  failedMails: 0,
  financeMails: 0,
};
const FAILED_BEFORE_ISSUE: Expected = {
  execution: 'FAILED',
  status: 'failed',
  invoices: 0,
  issuedMails: 0,
  failedMails: 1,
  financeMails: 0,
};

describe.concurrent('faults injected at each Task (synthesized definition, own local stack)', () => {
  for (const task of ['Review', 'IssueInvoices', 'DeliverInvoices', 'AwaitFinanceDecision'] as const) {
    const review = task === 'AwaitFinanceDecision';
    it(`invariants 2 3 5: a one-off failure at ${task} is retried and the application is delivered once`, async () => {
      const run = await apply(review, [task, 'transient']);
      const plan = run.plans[0]!;
      if (review) await approveWhenParked(run.applicationId);
      await assertOutcome(run, DELIVERED);
      expect(plan.runs).toBeGreaterThanOrEqual(2);
    });

    it(`invariants 2 3 5: a duplicated ${task} invocation has its effect once`, async () => {
      const run = await apply(review, [task, 'duplicate']);
      const plan = run.plans[0]!;
      if (review) await approveWhenParked(run.applicationId);
      await assertOutcome(run, DELIVERED);
      expect(plan.runs).toBeGreaterThanOrEqual(2);
    });
  }

  it('R25 a decision taken before the review task stored its token still resumes the workflow, once', async () => {
    // Prepare: the review task is slow to start; the application is already listed in review
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = await apply(true, ['AwaitFinanceDecision', 'held', gate]);
    const plan = run.plans[0]!;
    await until(async () => {
      const item = await applicationItem(run.applicationId);
      return item?.status === 'in-review' && plan.calls === 1 ? item : undefined;
    }, 'review with the task not yet run');
    expect((await applicationItem(run.applicationId)).reviewTaskToken).toBeUndefined();

    // Act: finance approves with no token to signal; then the task runs
    const decided = await own.request(
      'POST',
      `/v1/admin/applications/${run.applicationId}/decision`,
      finance,
      {
        approve: true,
      },
    );
    release();

    // Assess
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('issuing');
    await assertOutcome(run, DELIVERED);
    expect(plan.runs).toBe(1);
  });

  for (const task of ['Review', 'IssueInvoices', 'AwaitFinanceDecision'] as const) {
    it(`invariant 5: a permanent failure at ${task} is caught, releases every reservation and tells the customer`, async () => {
      const run = await apply(task === 'AwaitFinanceDecision', [task, 'permanent']);
      const plan = run.plans[0]!;
      const application = await assertOutcome(run, FAILED_BEFORE_ISSUE);
      expect(plan.calls).toBe(1); // permanent: not retried
      expect(application.timeline.at(-1)).toMatchObject({ status: 'failed', note: 'PermanentTaskError' });
      expect(application.gsi2pk).toBeUndefined(); // not left in the finance review queue
    });
  }

  it('invariants 3 5: a permanent failure at DeliverInvoices keeps the issued invoices, settles them and tells finance once', async () => {
    const run = await apply(false, ['DeliverInvoices', 'permanent']);
    const application = await assertOutcome(run, {
      execution: 'FAILED',
      status: 'issued',
      invoices: 2,
      issuedMails: 0,
      failedMails: 0,
      financeMails: 1,
    });
    expect(application.timeline.at(-1).note).toMatch(/^delivery failed \(PermanentTaskError\)/);
  });

  it('invariants 3 5: a one-off failure at FailApplication is retried; released once, one failure e-mail', async () => {
    const run = await apply(false, ['IssueInvoices', 'permanent'], ['FailApplication', 'transient']);
    const plan = run.plans[1]!;
    await assertOutcome(run, FAILED_BEFORE_ISSUE);
    expect(plan.runs).toBeGreaterThanOrEqual(2);
  });

  it('invariants 3 5: a duplicated FailApplication invocation releases once and e-mails once', async () => {
    const run = await apply(false, ['IssueInvoices', 'permanent'], ['FailApplication', 'duplicate']);
    const plan = run.plans[1]!;
    await assertOutcome(run, FAILED_BEFORE_ISSUE);
    expect(plan.runs).toBeGreaterThanOrEqual(2);
  });

  it('invariant 5: a failure inside FailApplication that outlasts its retries is finished by the hourly watch', async () => {
    // Prepare: issuing fails, and the failure handling itself fails on a corrupt application
    // item (its allocations are not a list) on every attempt, until the data is repaired. The
    // review waits until the item is corrupted, so the workflow sees it whatever the timing.
    let corrupted = () => {};
    const gate = new Promise<void>((resolve) => {
      corrupted = resolve;
    });
    const run = await apply(false, ['Review', 'held', gate], ['IssueInvoices', 'permanent']);
    const key = { pk: `APPLICATION#${run.applicationId}`, sk: 'APPLICATION' };
    const allocations = (await applicationItem(run.applicationId)).allocations;
    await own.documents.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: key,
        UpdateExpression: 'SET allocations = :corrupt',
        ExpressionAttributeValues: { ':corrupt': 'not-a-list' },
      }),
    );
    corrupted();
    const execution = await finished(run.applicationId);
    expect(execution.status).toBe('FAILED');
    expect((await applicationItem(run.applicationId)).status).toBe('issuing');
    const held = await own.recordsOf(run.accountId);
    expect(held.reduce((sum, r) => sum + r.reservedAmount, 0)).toBe(run.total);
    const watch = own.functionNamed('DeadlinesWatchApplications');
    const whileBroken = (await own.stack.lambda.invoke(watch, {})) as { stillFailing: string[] };
    expect(whileBroken.stillFailing).toContain(run.applicationId);

    // Act: the data is repaired; the scheduled watch runs again
    await own.documents.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: key,
        UpdateExpression: 'SET allocations = :allocations',
        ExpressionAttributeValues: { ':allocations': allocations },
      }),
    );
    const report = (await own.stack.lambda.invoke(watch, {})) as { recovered: string[] };
    const again = (await own.stack.lambda.invoke(watch, {})) as { recovered: string[] };

    // Assess
    expect(report.recovered).toContain(run.applicationId);
    expect(again.recovered).not.toContain(run.applicationId);
    await assertOutcome(run, FAILED_BEFORE_ISSUE);
  });
});

describe.concurrent('redriving failed executions (docs/runbooks.md, workflow-executions-failed)', () => {
  it('invariants 2 3 5: a failure inside FailApplication past its retries is redriven once the data is repaired; it ends once', async () => {
    // Prepare: as above, the failure handling fails on a corrupt item on every attempt
    let corrupted = () => {};
    const gate = new Promise<void>((resolve) => {
      corrupted = resolve;
    });
    const run = await apply(false, ['Review', 'held', gate], ['IssueInvoices', 'permanent']);
    const key = { pk: `APPLICATION#${run.applicationId}`, sk: 'APPLICATION' };
    const allocations = (await applicationItem(run.applicationId)).allocations;
    await own.documents.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: key,
        UpdateExpression: 'SET allocations = :corrupt',
        ExpressionAttributeValues: { ':corrupt': 'not-a-list' },
      }),
    );
    corrupted();
    const failedOnce = await finished(run.applicationId);
    expect(failedOnce).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE' });
    expect(failedOnce.error).not.toBe('ApplicationFailed'); // it failed inside FailApplication
    await own.documents.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: key,
        UpdateExpression: 'SET allocations = :allocations',
        ExpressionAttributeValues: { ':allocations': allocations },
      }),
    );

    // Act: the operator redrives the execution (same ARN, from the state that failed)
    await own.sfn.send(new RedriveExecutionCommand({ executionArn: executionArn(run.applicationId) }));
    await until(async () => {
      const e = await own.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArn(run.applicationId) }),
      );
      return e.status !== 'RUNNING' && e.redriveCount === 1 ? e : undefined;
    }, 'the redriven execution to end');

    // Assess: failure handling ran once more and finished (invariant 5: released, told once;
    // invariant 2: no number drawn); nothing before it ran again; the watch finds nothing left
    const ended = await assertOutcome(run, FAILED_BEFORE_ISSUE);
    expect(ended.timeline.at(-1)).toMatchObject({ status: 'failed' });
    expect(await statesEnteredSinceRedrive(run.applicationId)).toEqual(['FailApplication', 'Failed']);
    const described = await own.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArn(run.applicationId) }),
    );
    expect(described).toMatchObject({ status: 'FAILED', error: 'ApplicationFailed', redriveCount: 1 });
    const watch = own.functionNamed('DeadlinesWatchApplications');
    const report = (await own.stack.lambda.invoke(watch, {})) as {
      recovered: string[];
      stillFailing: string[];
    };
    expect([...report.recovered, ...report.stillFailing]).not.toContain(run.applicationId);
  });

  it('invariants 2 3: an execution stopped while issuing is redriven from IssueInvoices and delivered once', async () => {
    // Prepare: issuing is held; the execution is stopped meanwhile (an operator's mistake), and
    // the invocation in flight still does its work, as a Lambda does after its execution stopped
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = await apply(false, ['IssueInvoices', 'held', gate]);
    const plan = run.plans[0]!;
    await until(async () => (plan.calls === 1 ? true : undefined), 'issuing to be invoked');
    await own.sfn.send(
      new StopExecutionCommand({ executionArn: executionArn(run.applicationId), error: 'OperatorStopped' }),
    );
    release();
    await until(
      async () =>
        plan.runs === 1 && (await applicationItem(run.applicationId)).status === 'issued' ? true : undefined,
      'the held issuing to finish',
    );
    expect((await finished(run.applicationId)).status).toBe('ABORTED');

    // Act
    await own.sfn.send(new RedriveExecutionCommand({ executionArn: executionArn(run.applicationId) }));

    // Assess: continued at IssueInvoices (found its invoices issued), delivered, one number per invoice, one e-mail
    await until(async () => {
      const e = await own.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArn(run.applicationId) }),
      );
      return e.status === 'SUCCEEDED' ? e : undefined;
    }, 'the redriven execution to succeed');
    await assertOutcome(run, DELIVERED);
    expect(plan.runs).toBe(2);
    expect(await statesEnteredSinceRedrive(run.applicationId)).toEqual([
      'IssueInvoices',
      'DeliverInvoices',
      'Done',
    ]);
  });
});

describe('R28 deadlines: the hourly watch', () => {
  it('R28 a breached deadline tells finance once; a finished application past its date is dropped silently', async () => {
    // Prepare: one application waits for finance, one is delivered; time passes beyond both deadlines
    const [waiting, done] = await Promise.all([apply(true), apply(false)]);
    await until(async () => {
      const item = await applicationItem(waiting.applicationId);
      return item?.status === 'in-review' ? item : undefined;
    }, 'review');
    expect((await finished(done.applicationId)).status).toBe('SUCCEEDED');
    const watched = await own.itemsWithPrefix('DEADLINE#');
    const original = (await applicationItem(waiting.applicationId)).expectedBy as string;
    const day = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(watched.map((w) => [w.pk, w.applicationId])).toContainEqual([
      `DEADLINE#${day(original)}`,
      waiting.applicationId,
    ]);
    expect(watched.some((w) => w.applicationId === done.applicationId)).toBe(false);
    const past = new Date(Date.now() - 60_000).toISOString();
    for (const id of [waiting.applicationId, done.applicationId]) {
      await own.documents.send(
        new UpdateCommand({
          TableName: own.tableName,
          Key: { pk: `APPLICATION#${id}`, sk: 'APPLICATION' },
          UpdateExpression: 'SET expectedBy = :past',
          ExpressionAttributeValues: { ':past': past },
        }),
      );
      await own.documents.send(
        new PutCommand({
          TableName: own.tableName,
          Item: { pk: `DEADLINE#${day(past)}`, sk: `${past}#${id}`, applicationId: id, expectedBy: past },
        }),
      );
    }
    await own.documents.send(
      new DeleteCommand({
        TableName: own.tableName,
        Key: { pk: `DEADLINE#${day(original)}`, sk: `${original}#${waiting.applicationId}` },
      }),
    );
    const watch = own.functionNamed('DeadlinesWatchApplications');

    // Act: the schedule fires twice (a duplicate delivery, or the next hour)
    const first = (await own.stack.lambda.invoke(watch, {})) as { breached: string[]; closed: string[] };
    const second = (await own.stack.lambda.invoke(watch, {})) as { breached: string[]; closed: string[] };

    // Assess
    expect(first.breached).toContain(waiting.applicationId);
    expect(first.closed).toContain(done.applicationId);
    expect(second.breached).not.toContain(waiting.applicationId);
    const toFinance = (await own.mailTo(FINANCE)).filter((m) => m.subject.includes(waiting.applicationId));
    expect(toFinance).toHaveLength(1);
    expect(toFinance[0]!.subject).toBe(`【逾期 Overdue】申请单 ${waiting.applicationId} 已超过预计完成时间`);
    expect(toFinance[0]!.body.text).toContain('is still in-review');
    expect((await own.mailTo(FINANCE)).some((m) => m.subject.includes(done.applicationId))).toBe(false);
    const left = await own.itemsWithPrefix('DEADLINE#');
    expect(left.some((w) => [waiting.applicationId, done.applicationId].includes(w.applicationId))).toBe(
      false,
    );
  });
});

describe('invoice numbers after every fault scenario', () => {
  it('invariant 2: per entity the numbers are 1..counter, none repeated, none skipped', async () => {
    const invoices = await own.itemsWithPrefix('INVOICE#');
    expect(invoices.length).toBeGreaterThan(0);
    for (const entity of ['cn-bj-01', 'cn-sh-01']) {
      const sequences = invoices
        .filter((i) => i.entity === entity)
        .map((i) => Number(String(i.invoiceNumber).slice(-12)))
        .sort((a, b) => a - b);
      const counter = await own.invoiceCounter(entity);
      expect(sequences).toEqual(Array.from({ length: counter }, (_, i) => i + 1));
    }
  });
});
