import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import { type Behaviour, type FakeTaxPlatform, startFakeTaxPlatform } from '../support/fake-tax-platform.ts';
import { expectLedgerExact } from '../support/invariants.ts';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * Issuing through a tax platform provider that assigns the numbers and may confirm later
 * (docs/tax-platform.md), against the fake provider of test/support/fake-tax-platform.ts.
 *
 * This file runs its own local stack whose issuing function is pointed at the fake
 * (TAX_PLATFORM = its URL; the shared stack keeps the simulator). The fake is programmed per
 * test through `behave`; tests in a file run one after another, and each waits for its
 * application's execution to end. Each wait on the task token lasts 1 s here instead of 2
 * minutes and retry intervals are 100 ms, so a platform that never confirms fails the
 * application after seven waits. Every test checks invariant 1 per record (ledger exact),
 * invariant 2 (one number per invoice, never used twice; the simulator's counter untouched),
 * invariant 3 (one invoice per draft, the customer told once) and, on failure, invariant 5.
 */

let own: OwnStack;
let fake: FakeTaxPlatform;
const FINANCE = 'finance@example.com';

beforeAll(async () => {
  fake = await startFakeTaxPlatform();
  own = await startOwnStack({
    functionEnv: { TAX_PLATFORM: fake.url },
    stepFunctions: {
      // The red letter's TaxPlatformPending retries wait 2 s each, long enough to confirm meanwhile.
      retryIntervalOverrides: { '*': 100, IssueRedLetter: 2_000 },
      taskTimeoutOverrides: { AwaitTaxPlatform: 1 },
    },
  });
  const token = await signLocalToken(own.stack.jwtSecret, {
    accountId: 'tax-provider',
    groups: ['tax-platform'],
  });
  fake.connect(`${own.stack.apiUrl}/v1/internal/tax-platform-confirmations`, token);
}, 180_000);

afterAll(async () => {
  await own?.stop();
  await fake?.close();
});

/** Two invoices (two entities) for a new account; the fake treats its requests as `behaviour` says. */
async function apply(behaviour: Behaviour | ((n: number) => Behaviour)) {
  let n = 0;
  fake.behave = () => (typeof behaviour === 'function' ? behaviour(n++) : behaviour);
  const accountId = ownId('tp');
  const email = `${accountId}@example.com`;
  await own.givenAccount(accountId, [
    order(ownId('o'), { cashAmount: 3_000 }),
    order(ownId('o'), { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 2_000 }),
  ]);
  const customer = { accountId };
  const titleId = await own.givenTitle(accountId);
  const created = await own.request('POST', '/v1/applications', customer, {
    mode: 'amount',
    amount: 5_000,
    titleId,
    delivery: { medium: 'electronic', email },
  });
  expect(created.status).toBe(201);
  const invoiceIds = (created.body.invoices as { invoiceId: string }[]).map((i) => i.invoiceId);
  expect(invoiceIds).toHaveLength(2);
  return { accountId, email, applicationId: created.body.applicationId as string, invoiceIds };
}
type Run = Awaited<ReturnType<typeof apply>>;

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const executionArn = (applicationId: string) =>
  `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${applicationId}`;

async function finished(applicationId: string) {
  return until(async () => {
    const e = await own.sfn
      .send(new DescribeExecutionCommand({ executionArn: executionArn(applicationId) }))
      .catch(() => undefined);
    return e && e.status !== 'RUNNING' ? e : undefined;
  }, `the execution of ${applicationId} to end`);
}

async function history(applicationId: string) {
  const { events = [] } = await own.sfn.send(
    new GetExecutionHistoryCommand({ executionArn: executionArn(applicationId), maxResults: 1000 }),
  );
  return events;
}

async function statesEntered(applicationId: string): Promise<string[]> {
  return (await history(applicationId))
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map((e) => String(e.stateEnteredEventDetails?.name));
}

/** Waits until the workflow waits on its token for both requests (AwaitTaxPlatform stored it). */
async function waitingForPlatform(run: Run): Promise<void> {
  await until(async () => {
    const waits = await Promise.all(
      run.invoiceIds.map(
        async (id) =>
          (
            await own.documents.send(
              new GetCommand({ TableName: own.tableName, Key: { pk: `PLATFORM_WAIT#${id}`, sk: 'WAIT' } }),
            )
          ).Item,
      ),
    );
    return waits.every(Boolean) ? true : undefined;
  }, 'the workflow to wait for the tax platform');
}

interface Expected {
  status: 'delivered' | 'failed';
  /** The failure reason on the timeline. */
  reason?: string;
}

/** The outcome, and invariants 1, 2, 3 and 5 for the run. */
async function assertOutcome(run: Run, expected: Expected) {
  const execution = await finished(run.applicationId);
  expect(execution.status).toBe(expected.status === 'delivered' ? 'SUCCEEDED' : 'FAILED');
  const application = await own.request('GET', `/v1/applications/${run.applicationId}`, run);
  expect(application.body.status).toBe(expected.status);
  if (expected.reason)
    expect(application.body.timeline.at(-1)).toMatchObject({ status: 'failed', note: expected.reason });

  // Invariant 1 per record, and 5: nothing stays reserved; invoiced is what the invoices say.
  const records = await own.recordsOf(run.accountId);
  expectLedgerExact(records);
  for (const record of records) expect(record.reservedAmount, record.recordId).toBe(0);
  const invoices = (await own.itemsWithPrefix('INVOICE#')).filter(
    (i) => i.applicationId === run.applicationId,
  );
  const invoiced = records.reduce((sum, r) => sum + r.invoicedAmount, 0);
  expect(invoiced).toBe(invoices.reduce((sum, i) => sum + i.amount, 0));

  // Invariant 3: one invoice per draft, under its planned id; invariant 2: the provider's numbers.
  expect(invoices.map((i) => i.invoiceId).sort()).toEqual(
    expected.status === 'delivered' ? [...run.invoiceIds].sort() : [],
  );
  for (const invoice of invoices) {
    expect(invoice.invoiceNumber).toBe(fake.requests.get(invoice.invoiceId)?.invoiceNumber);
    expect(invoice.pdfKey).toBeDefined();
  }
  await expectNumbersNeverReused();

  // The customer told once; finance told when the platform refused or never confirmed.
  const mails = await own.mailTo(run.email);
  expect(mails).toHaveLength(1);
  expect(
    mails[0]!.subject.startsWith(expected.status === 'delivered' ? '您的发票已开具' : '您的开票申请处理失败'),
  ).toBe(true);
  const toFinance = (await own.mailTo(FINANCE)).filter((m) => m.subject.includes(run.applicationId));
  expect(toFinance).toHaveLength(expected.status === 'failed' ? 1 : 0);
  return { invoices, mails };
}

/** Invariant 2 with provider numbers: every stored invoice has its own number and claim; the simulator's counters unused. */
async function expectNumbersNeverReused() {
  const all = await own.itemsWithPrefix('INVOICE#');
  const numbers = all.map((i) => `${i.entity}#${i.invoiceNumber}`);
  expect(new Set(numbers).size).toBe(numbers.length);
  const claims = await own.itemsWithPrefix('INVOICE_NUMBER#');
  expect(claims.map((c) => String(c.pk).slice('INVOICE_NUMBER#'.length)).sort()).toEqual([...numbers].sort());
  for (const claim of claims)
    expect(all.find((i) => i.invoiceId === claim.invoiceId)?.invoiceNumber).toBe(
      String(claim.pk).split('#')[2],
    );
  expect(await own.invoiceCounter('cn-bj-01')).toBeUndefined();
  expect(await own.invoiceCounter('cn-sh-01')).toBeUndefined();
}

describe('issuing through a tax platform provider (fake provider)', () => {
  it('books the numbers the provider assigns when it answers at once, in the simulator’s 6 transitions', async () => {
    const run = await apply({ answer: 'now' });

    const { invoices, mails } = await assertOutcome(run, { status: 'delivered' });

    for (const invoice of invoices) expect(invoice.invoiceNumber).toMatch(/^\d{20}$/);
    expect(mails[0]!.attachments.filter((a) => a.contentType === 'application/pdf')).toHaveLength(2);
    expect(await statesEntered(run.applicationId)).toEqual([
      'WaitForCancellationDeadline',
      'Review',
      'RouteByReview',
      'IssueInvoices',
      'DeliverInvoices',
      'Done',
    ]);
  });

  it('waits on the task token for a later confirmation and resumes on the callback (8 transitions)', async () => {
    const run = await apply({ answer: 'later' });
    await waitingForPlatform(run);

    // Act: the provider confirms both; only the second confirmation calls back
    await fake.confirm(run.invoiceIds[0]!, { callback: false });
    await fake.confirm(run.invoiceIds[1]!);

    await assertOutcome(run, { status: 'delivered' });
    // The wait's timeout is cut to 1 s in this file. Once it has run out, the retried wait asks
    // the provider itself and may see the confirmation before the callback lands: then it resumes
    // first and the callback finds no token (resumed false). Without a timeout, only the callback
    // can have resumed the workflow.
    const pollFirst = (await history(run.applicationId)).some((e) => e.type === 'TaskTimedOut');
    expect(fake.callbacks.at(-1)).toMatchObject({ status: 202 });
    if (!pollFirst) expect(fake.callbacks.at(-1)).toMatchObject({ body: { resumed: true } });
    const states = await statesEntered(run.applicationId);
    expect(states).toEqual([
      'WaitForCancellationDeadline',
      'Review',
      'RouteByReview',
      'IssueInvoices',
      'AwaitTaxPlatform',
      'IssueInvoices',
      'DeliverInvoices',
      'Done',
    ]);
    expect(states.length).toBeLessThanOrEqual(12);
  });

  it('treats a duplicate confirmation as a no-op: one invoice per draft, one e-mail', async () => {
    const run = await apply({ answer: 'later' });
    await waitingForPlatform(run);

    await fake.confirm(run.invoiceIds[0]!, { callback: false });
    await fake.confirm(run.invoiceIds[1]!, { times: 2 });

    await assertOutcome(run, { status: 'delivered' });
    expect(fake.callbacks.slice(-2).map((c) => [c.status, (c.body as { resumed: boolean }).resumed])).toEqual(
      [
        [202, true],
        [202, false],
      ],
    );
  });

  it('finds a confirmation without a callback by asking again when the wait times out (polling)', async () => {
    const run = await apply({ answer: 'later' });
    await waitingForPlatform(run);

    for (const id of run.invoiceIds) await fake.confirm(id, { callback: false });

    await assertOutcome(run, { status: 'delivered' });
    for (const id of run.invoiceIds) expect(fake.requests.get(id)!.gets).toBeGreaterThan(0);
  });

  it('retries 5xx answers and waits out slow ones without a second request taking effect', async () => {
    const run = await apply({ answer: 'now', failFirst: 2, slowMs: 300 });

    await assertOutcome(run, { status: 'delivered' });
    for (const id of run.invoiceIds) expect(fake.requests.get(id)!.puts).toBeGreaterThanOrEqual(3);
    expect(
      fake.assigned.filter((n) => run.invoiceIds.some((id) => fake.requests.get(id)!.invoiceNumber === n)),
    ).toHaveLength(2);
  });

  it('gives up on an answer that never comes (request timeout) and asks again under the same key', async () => {
    const run = await apply({ answer: 'now', hangFirst: true });

    await assertOutcome(run, { status: 'delivered' });
    for (const id of run.invoiceIds) expect(fake.requests.get(id)!.puts).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('fails the application on a refusal: reservation released, the customer and finance told once', async () => {
    const run = await apply({ answer: 'refuse' });

    await assertOutcome(run, { status: 'failed', reason: 'TaxPlatformRefused' });
    expect(fake.requests.get(run.invoiceIds[0]!)!.state).toBe('refused');
  });

  it('fails when the platform never confirms, and books nothing when the confirmation comes after the timeout', async () => {
    const run = await apply({ answer: 'later' });

    // The waits time out one after another; the last one fails the application.
    await assertOutcome(run, { status: 'failed', reason: 'States.Timeout' });
    const polls = fake.requests.get(run.invoiceIds[0]!)!.gets;
    expect(polls).toBeGreaterThan(1);

    // Act: the provider confirms late, calling back twice
    for (const id of run.invoiceIds) await fake.confirm(id, { times: 2 });

    // Assess: no invoice, the provider's numbers never booked, nobody told again
    expect(fake.callbacks.slice(-4).map((c) => (c.body as { resumed: boolean }).resumed)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    await assertOutcome(run, { status: 'failed', reason: 'States.Timeout' });
    const numbers = run.invoiceIds.map((id) => fake.requests.get(id)!.invoiceNumber);
    const stored = (await own.itemsWithPrefix('INVOICE#')).map((i) => i.invoiceNumber);
    for (const number of numbers) expect(stored).not.toContain(number);
  }, 90_000);

  it('fails once the waits together outlast the longest wait, also when early callbacks restarted them', async () => {
    const run = await apply({ answer: 'later' });
    await waitingForPlatform(run);
    // As if early callbacks had kept resuming the workflow for two hours while nothing was confirmed
    for (const id of run.invoiceIds)
      await own.documents.send(
        new UpdateCommand({
          TableName: own.tableName,
          Key: { pk: `PLATFORM_WAIT#${id}`, sk: 'WAIT' },
          UpdateExpression: 'SET waitingSince = :then',
          ExpressionAttributeValues: { ':then': new Date(Date.now() - 2 * 3_600_000).toISOString() },
        }),
      );

    // Act: one more early callback
    await fake.callBack(run.invoiceIds[0]!);

    await assertOutcome(run, { status: 'failed', reason: 'TaxPlatformTimeout' });
    for (const id of run.invoiceIds) expect(fake.requests.get(id)!.state).toBe('pending');
  });

  it('refuses to book a number the provider already gave another invoice (invariant 2)', async () => {
    const first = await apply({ answer: 'now' });
    await assertOutcome(first, { status: 'delivered' });
    const taken = fake.requests.get(first.invoiceIds[0]!)!.invoiceNumber!;

    // Act: the provider hands the same number out again, for the next application's first invoice
    const second = await apply((n) => (n === 0 ? { answer: 'now', number: taken } : { answer: 'now' }));

    await assertOutcome(second, { status: 'failed', reason: 'TaxPlatformRefused' });
    expect(fake.assigned.filter((n) => n === taken)).toHaveLength(2);
    const holders = (await own.itemsWithPrefix('INVOICE#')).filter((i) => i.invoiceNumber === taken);
    expect(holders.map((i) => i.invoiceId)).toEqual([first.invoiceIds[0]]);
  });

  it('R34 issues the red letter through the provider too, asking again until it confirms', async () => {
    const run = await apply({ answer: 'now' });
    await assertOutcome(run, { status: 'delivered' });
    const [invoiceId] = run.invoiceIds;
    const original = fake.requests.get(invoiceId!)!;
    fake.behave = () => ({ answer: 'later' });

    // Act: the customer returns the invoice; the provider confirms the red letter only later
    const accepted = await own.request('POST', `/v1/invoices/${invoiceId}/returns`, run, {
      reason: 'ISSUE_ERROR',
    });
    expect(accepted.status).toBe(202);
    const redId = accepted.body.redInvoiceId as string;
    await until(
      async () => ((fake.requests.get(redId)?.puts ?? 0) >= 2 ? true : undefined),
      'the red letter asked again',
    );
    await fake.confirm(redId, { callback: false });

    // Assess: credited by a red letter under the provider's number, crediting the original's number
    const returned = await until(async () => {
      const { Item } = await own.documents.send(
        new GetCommand({
          TableName: own.tableName,
          Key: { pk: `RETURN#${accepted.body.returnId}`, sk: 'RETURN' },
        }),
      );
      return Item && ['credited', 'reissued', 'failed'].includes(Item.status) ? Item : undefined;
    }, 'the return to be credited');
    expect(returned.status).toBe('credited');
    const red = (await own.itemsWithPrefix(`INVOICE#${redId}`))[0]!;
    expect(red).toMatchObject({ kind: 'red', invoiceNumber: fake.requests.get(redId)!.invoiceNumber });
    expect(red.amount).toBeLessThan(0);
    expect(fake.requests.get(redId)!.body).toMatchObject({
      kind: 'red',
      originalInvoiceNumber: original.invoiceNumber,
    });
    expectLedgerExact(await own.recordsOf(run.accountId));
    await expectNumbersNeverReused();
  }, 90_000);
});
