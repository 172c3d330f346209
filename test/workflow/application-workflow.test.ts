import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, order, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import {
  documents,
  executionArnOf,
  finishedExecution,
  historyOf,
  sfn,
  statesEntered,
} from '../support/aws.ts';

/**
 * The synthesized state machine, run by the local Step Functions server with each Task mapped to
 * its bundled Lambda: the definition deployed to AWS is the one executed here.
 */
async function applyFor(amount: number, records: Record<string, unknown>[]) {
  const accountId = uniqueId('wf');
  await givenAccount(accountId, { records });
  const customer = await clientFor(accountId);
  const title = await customer.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  const email = `${accountId}@example.com`;
  const created = await customer.post('/v1/applications', {
    mode: 'amount',
    amount,
    titleId: title.body.titleId,
    delivery: { medium: 'electronic', email },
  });
  expect(created.status).toBe(201);
  return { accountId, customer, email, application: created.body };
}

describe('application workflow (synthesized definition)', () => {
  it('runs wait → review → issue → deliver in 6 state transitions for an electronic invoice', async () => {
    // Prepare
    const { application } = await applyFor(2_000, [order(uniqueId('o'), { cashAmount: 2_000 })]);

    // Act
    const execution = await finishedExecution(executionArnOf(application.applicationId));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(await historyOf(execution.executionArn!));
    expect(states).toEqual([
      'WaitForCancellationDeadline',
      'Review',
      'RouteByReview',
      'IssueInvoices',
      'DeliverInvoices',
      'Done',
    ]);
    expect(states.length).toBeLessThanOrEqual(12);
  });

  it('fails permanently when issuing cannot succeed, and releases every reservation (invariant 5)', async () => {
    // Prepare: an application large enough to wait for finance (R25), so nothing races the
    // cancellation window; while it waits, its seller entity disappears from configuration.
    const { customer, email, application } = await applyFor(12_000_000, [
      order(uniqueId('o'), { cashAmount: 6_000_000 }),
      order(uniqueId('o'), { cashAmount: 8_000_000, paidAt: '2026-10-20T10:00:00+08:00' }),
    ]);
    await waitFor(async () => {
      const r = await customer.get(`/v1/applications/${application.applicationId}`);
      return r.body.status === 'in-review' ? r.body : undefined;
    }, 'the application to wait for finance');
    const key = { pk: `APPLICATION#${application.applicationId}`, sk: 'APPLICATION' };
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: key,
        UpdateExpression: 'SET invoices[0].entity = :gone',
        ExpressionAttributeValues: { ':gone': 'cn-closed-01' },
      }),
    );
    expect((await customer.get('/v1/invoiceable')).body.formula.reserved).toBe(12_000_000);

    // Act: finance approves; issuing finds no such entity
    const finance = await clientFor('finance-staff', ['finance']);
    const decided = await finance.post(`/v1/admin/applications/${application.applicationId}/decision`, {
      approve: true,
    });
    expect(decided.status).toBe(200);
    const execution = await finishedExecution(executionArnOf(application.applicationId));

    // Assess
    expect(execution.status).toBe('FAILED');
    const states = statesEntered(await historyOf(execution.executionArn!));
    expect(states.slice(-3)).toEqual(['IssueInvoices', 'FailApplication', 'Failed']);
    const after = await customer.get(`/v1/applications/${application.applicationId}`);
    expect(after.body.status).toBe('failed');
    expect(after.body.timeline.at(-1)).toMatchObject({ status: 'failed', note: 'PermanentTaskError' });
    const ledger = (await customer.get('/v1/invoiceable')).body;
    expect(ledger.formula).toMatchObject({ reserved: 0, invoiced: 0 });
    expect(ledger.amount).toBe(14_000_000);
    expect((await customer.get(`/v1/invoices/${application.invoices[0].invoiceId}`)).status).toBe(404);
    const mails = await sentMailTo(email);
    expect(mails.map((m) => m.subject)).toEqual([
      `您的开票申请处理失败（申请单 ${application.applicationId}）`,
    ]);
  });

  it('has its effect once when the whole workflow is delivered twice (invariant 3)', async () => {
    // Prepare: a finished application
    const { customer, email, application } = await applyFor(1_500, [
      order(uniqueId('o'), { cashAmount: 1_500 }),
    ]);
    const first = await finishedExecution(executionArnOf(application.applicationId));
    expect(first.status).toBe('SUCCEEDED');
    const invoiceId = application.invoices[0].invoiceId as string;
    const issued = (await customer.get(`/v1/invoices/${invoiceId}`)).body;
    const counterKey = { pk: 'COUNTER#INVOICE_NUMBER#cn-bj-01', sk: 'COUNTER' };
    const counterBefore = (
      await documents().send(new GetCommand({ TableName: inject('tableName'), Key: counterKey }))
    ).Item;

    // Act: a duplicate start of the same application (e.g. a retried start or a sweeper race)
    const duplicate = await sfn().send(
      new StartExecutionCommand({
        stateMachineArn: inject('stateMachineArn'),
        name: `${application.applicationId}-again`,
        input: JSON.stringify({
          applicationId: application.applicationId,
          accountId: 'ignored',
          waitUntil: new Date().toISOString(),
          correlationId: application.applicationId,
        }),
      }),
    );
    const second = await finishedExecution(duplicate.executionArn!);

    // Assess: same invoice, same number, no new number drawn, one e-mail, ledger unchanged
    expect(second.status).toBe('SUCCEEDED');
    expect((await customer.get(`/v1/invoices/${invoiceId}`)).body.invoiceNumber).toBe(issued.invoiceNumber);
    const counterAfter = (
      await documents().send(new GetCommand({ TableName: inject('tableName'), Key: counterKey }))
    ).Item;
    expect(counterAfter?.sequence).toBeGreaterThanOrEqual(counterBefore?.sequence);
    expect(await sentMailTo(email)).toHaveLength(1);
    expect((await customer.get('/v1/invoiceable')).body.formula).toMatchObject({
      invoiced: 1_500,
      reserved: 0,
      amount: 0,
    });
  });
});
