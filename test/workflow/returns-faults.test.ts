import { createHash } from 'node:crypto';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import { LambdaInvocationError } from '../../scripts/local/types.ts';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * R34 returns under injected faults, on the synthesized returns state machine. Faults are
 * injected as in fault-injection.test.ts, at the local Lambda runtime's `invoke`, for one
 * return and one step (every returns task runs the same function; the payload names its step).
 */

type Fault = 'transient' | 'permanent' | 'duplicate';
interface Plan {
  step: string;
  fault: Fault;
  calls: number;
}

let own: OwnStack;
/** The functions that run the returns state machine's tasks: its step function and, for the red-letter step, the PDF-rendering function. */
let returnTaskFunctions: string[];
const plans = new Map<string, Plan[]>();
const FINANCE = 'finance@example.com';

beforeAll(async () => {
  own = await startOwnStack({ stepFunctions: { retryIntervalOverrides: { '*': 100 } } });
  returnTaskFunctions = [own.functionNamed('ReturnsStepFunction'), own.functionNamed('IssueInvoices')];
  const invoke = own.stack.lambda.invoke.bind(own.stack.lambda);
  own.stack.lambda.invoke = async (functionId: string, event: unknown) => {
    const { returnId, step } = (event ?? {}) as { returnId?: string; step?: string };
    const plan =
      returnTaskFunctions.includes(functionId) && returnId
        ? plans.get(returnId)?.find((p) => p.step === step)
        : undefined;
    if (!plan) return invoke(functionId, event);
    plan.calls++;
    switch (plan.fault) {
      case 'permanent':
        throw new LambdaInvocationError('PermanentTaskError', 'injected permanent failure');
      case 'transient': {
        const result = await invoke(functionId, event);
        if (plan.calls === 1)
          throw new LambdaInvocationError('Sandbox.Timedout', 'injected: timed out after its work');
        return result;
      }
      case 'duplicate': {
        const [first] = await Promise.allSettled([invoke(functionId, event), invoke(functionId, event)]);
        if (first.status === 'rejected') throw first.reason;
        return first.value;
      }
    }
  };
}, 300_000);

afterAll(async () => {
  await own?.stop();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const item = async (pk: string, sk: string) =>
  (
    await own.documents.send(
      new GetCommand({ TableName: own.tableName, Key: { pk, sk }, ConsistentRead: true }),
    )
  ).Item as Record<string, any> | undefined;

/** A delivered electronic invoice of 10,600 fen over one record. */
async function deliveredInvoice() {
  const accountId = ownId('retf');
  const customer = { accountId };
  const email = `${accountId}@example.com`;
  await own.givenAccount(accountId, [order(ownId('o'))]);
  const titleId = await own.givenTitle(accountId);
  const created = await own.request('POST', '/v1/applications', customer, {
    mode: 'amount',
    amount: 10_600,
    titleId,
    delivery: { medium: 'electronic', email },
  });
  expect(created.status).toBe(201);
  const applicationId = created.body.applicationId as string;
  await until(async () => {
    const application = await item(`APPLICATION#${applicationId}`, 'APPLICATION');
    return application?.status === 'delivered' ? application : undefined;
  }, 'the application to be delivered');
  return { accountId, customer, email, invoiceId: created.body.invoices[0].invoiceId as string };
}

async function finished(returnId: string) {
  const machine = own.stack.template.stateMachines.find((m) => m.arn.includes(':invoice-returns-'))!;
  const arn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${returnId}`;
  return until(async () => {
    const execution = await own.sfn
      .send(new DescribeExecutionCommand({ executionArn: arn }))
      .catch(() => undefined);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  }, `return execution ${returnId}`);
}

/** The return id an Idempotency-Key fixes (shared/use-cases/returns.ts), so faults are planned before the request. */
function returnIdFor(accountId: string, key: string): string {
  return `ret-${createHash('sha256').update(`${accountId}\n${key}`).digest('hex').slice(0, 32)}`;
}

async function requestReturn(run: Awaited<ReturnType<typeof deliveredInvoice>>, key: string, reason: string) {
  const token = await signLocalToken(own.stack.jwtSecret, { accountId: run.accountId });
  const response = await fetch(`${own.stack.apiUrl}/v1/invoices/${run.invoiceId}/returns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ reason }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function inject(returnId: string, step: string, fault: Fault): Plan {
  const plan = { step, fault, calls: 0 };
  plans.set(returnId, [...(plans.get(returnId) ?? []), plan]);
  return plan;
}

describe('R34 returns keep the issuing guarantees under faults', () => {
  it('R34 invariants 1 2 3: retried and duplicated steps yield one red-letter invoice, one restore, one e-mail', async () => {
    // Prepare: the faults are planned under the return id an Idempotency-Key fixes in advance
    const run = await deliveredInvoice();
    const returnId = returnIdFor(run.accountId, 'faults-a');
    const issue = inject(returnId, 'issue-red-letter', 'transient');
    const restore = inject(returnId, 'restore-ledger', 'duplicate');
    const deliver = inject(returnId, 'deliver', 'transient');

    // Act
    const probe = await requestReturn(run, 'faults-a', 'ISSUE_ERROR');
    const execution = await finished(returnId);

    // Assess
    expect(probe.status).toBe(202);
    expect(probe.body.returnId).toBe(returnId);
    expect(execution.status).toBe('SUCCEEDED');
    expect([issue.calls, restore.calls, deliver.calls]).toEqual([2, 1, 2]);
    const stored = await item(`RETURN#${returnId}`, 'RETURN');
    expect(stored?.status).toBe('credited');
    const red = await item(`INVOICE#${probe.body.redInvoiceId}`, 'INVOICE');
    const original = await item(`INVOICE#${run.invoiceId}`, 'INVOICE');
    expect(red).toMatchObject({ kind: 'red', amount: -10_600, status: 'issued' });
    expect(original?.status).toBe('credited');
    expect(red!.invoiceNumber).not.toBe(original!.invoiceNumber);
    const records = await own.recordsOf(run.accountId);
    for (const record of records) {
      expect(record.invoicedAmount, record.recordId).toBe(0);
      expect(record.reservedAmount, record.recordId).toBe(0);
      expect(record.availableAmount, record.recordId).toBe(record.cashAmount);
    }
    const mails = await own.mailTo(run.email);
    expect(mails.filter((m) => m.subject.startsWith('红字发票'))).toHaveLength(1);
  });

  it('R34 invariant 5: a permanent failure before the red-letter invoice fails the return, leaves the invoice and ledger as they were, and tells finance once', async () => {
    // Prepare
    const run = await deliveredInvoice();
    const before = await own.recordsOf(run.accountId);
    const statusBefore = (await item(`INVOICE#${run.invoiceId}`, 'INVOICE'))?.status;
    const returnId = returnIdFor(run.accountId, 'faults-b');
    const plan = inject(returnId, 'issue-red-letter', 'permanent');

    // Act
    const accepted = await requestReturn(run, 'faults-b', 'SERVICE_SUSPENSION');
    const execution = await finished(returnId);

    // Assess
    expect(accepted.status).toBe(202);
    expect(execution.status).toBe('FAILED');
    expect(plan.calls).toBe(1);
    const stored = await item(`RETURN#${returnId}`, 'RETURN');
    expect(stored).toMatchObject({ status: 'failed', failureReason: 'PermanentTaskError' });
    expect(await item(`INVOICE#${accepted.body.redInvoiceId}`, 'INVOICE')).toBeUndefined();
    expect(statusBefore).toBe('issued');
    expect((await item(`INVOICE#${run.invoiceId}`, 'INVOICE'))?.status).toBe(statusBefore);
    const after = await own.recordsOf(run.accountId);
    expect(after.map((r) => [r.recordId, r.invoicedAmount, r.availableAmount])).toEqual(
      before.map((r) => [r.recordId, r.invoicedAmount, r.availableAmount]),
    );
    const toFinance = (await own.mailTo(FINANCE)).filter((m) => m.subject.includes('退票失败'));
    expect(toFinance).toHaveLength(1);
    expect(toFinance[0]!.body.text).toContain(returnId);
    // The invoice can be returned again.
    const again = await own.request('POST', `/v1/invoices/${run.invoiceId}/returns`, run.customer, {
      reason: 'SERVICE_SUSPENSION',
    });
    expect(again.status).toBe(202);
    expect(again.body.returnId).not.toBe(returnId);
  });
});
