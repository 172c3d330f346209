import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import {
  type ApiClient,
  clientFor,
  givenAccount,
  order,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';
import { documents, executionArnOf, finishedExecution, historyOf, statesEntered } from '../support/aws.ts';

/** Above the configured review threshold (10,000,000 fen): finance must decide (R25). */
const LARGE = 12_000_000;

interface Customer {
  accountId: string;
  api: ApiClient;
  email: string;
}

async function customer(language: 'zh' | 'en', records: Record<string, unknown>[]): Promise<Customer> {
  const accountId = uniqueId('rv');
  await givenAccount(accountId, { records });
  const billing = await clientFor('billing-system', ['billing-system']);
  const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: 0,
    language,
  });
  expect(put.status).toBe(200);
  return { accountId, api: await clientFor(accountId), email: `${accountId}@example.com` };
}

async function applyLarge(c: Customer) {
  const title = await c.api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  const created = await c.api.post('/v1/applications', {
    mode: 'amount',
    amount: LARGE,
    titleId: title.body.titleId,
    delivery: { medium: 'electronic', email: c.email },
  });
  expect(created.status).toBe(201);
  return created.body.applicationId as string;
}

const finance = () => clientFor('finance-staff', ['finance']);

async function inReview(c: Customer, applicationId: string) {
  return waitFor(async () => {
    const r = await c.api.get(`/v1/applications/${applicationId}`);
    return r.body.status === 'in-review' ? r.body : undefined;
  }, 'the application to wait for finance');
}

const applicationItem = async (applicationId: string) =>
  (
    await documents().send(
      new GetCommand({
        TableName: inject('tableName'),
        Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
        ConsistentRead: true,
      }),
    )
  ).Item!;

async function recordsOf(accountId: string) {
  const page = await documents().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':r': 'RECORD#' },
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

describe('R25 finance review of applications', () => {
  it('R25 an application above the threshold waits in review, is listed for finance, and issues once approved', async () => {
    // Prepare
    const c = await customer('zh', [order(uniqueId('o'), { cashAmount: LARGE })]);
    const applicationId = await applyLarge(c);
    await inReview(c, applicationId);
    const parked = await waitFor(async () => {
      const item = await applicationItem(applicationId);
      return item.reviewTaskToken ? item : undefined;
    }, 'the review token to be stored');
    expect(parked.gsi2pk).toBe('PENDING_REVIEW#APPLICATION');
    expect(parked.gsi2sk).toBe(`${parked.submittedAt}#${applicationId}`);

    // Act
    const staff = await finance();
    const decided = await staff.post(`/v1/admin/applications/${applicationId}/decision`, { approve: true });

    // Assess
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('issuing');
    const execution = await finishedExecution(executionArnOf(applicationId));
    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(await historyOf(execution.executionArn!));
    expect(states).toEqual([
      'WaitForCancellationDeadline',
      'Review',
      'RouteByReview',
      'AwaitFinanceDecision',
      'RouteByDecision',
      'IssueInvoices',
      'DeliverInvoices',
      'Done',
    ]);
    const done = (await c.api.get(`/v1/applications/${applicationId}`)).body;
    expect(done.status).toBe('delivered');
    expect(done.timeline.map((t: { status: string }) => t.status)).toEqual([
      'submitted',
      'in-review',
      'issuing',
      'issued',
      'delivered',
    ]);
    expect(done.timeline[2].note).toBe('approved by finance');
    for (const step of done.timeline) expect(step.at).toMatch(/\+08:00$/);
    expect((await applicationItem(applicationId)).gsi2pk).toBeUndefined();
    const mails = await sentMailTo(c.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`您的发票已开具（申请单 ${applicationId}）`);
    expect(mails[0]!.body.text).toContain('价税合计：¥120000.00');
    expect(mails[0]!.attachments.map((a) => a.contentType)).toEqual(['application/pdf', 'application/xml']);
    const again = await staff.post(`/v1/admin/applications/${applicationId}/decision`, { approve: true });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
  });

  it('R25 a rejection releases every reservation, ends the workflow and tells the customer why in English', async () => {
    // Prepare
    const c = await customer('en', [order(uniqueId('o'), { cashAmount: LARGE + 500 })]);
    const applicationId = await applyLarge(c);
    await inReview(c, applicationId);
    expect((await recordsOf(c.accountId))[0]).toMatchObject({ reservedAmount: LARGE });

    // Act
    const staff = await finance();
    const decided = await staff.post(`/v1/admin/applications/${applicationId}/decision`, {
      approve: false,
      reason: 'The amount does not match the contract; please apply per contract.',
    });

    // Assess
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('rejected');
    expect(decided.body.timeline.at(-1)).toMatchObject({
      status: 'rejected',
      note: 'The amount does not match the contract; please apply per contract.',
    });
    const [record] = await recordsOf(c.accountId);
    expect(record).toMatchObject({ reservedAmount: 0, invoicedAmount: 0, availableAmount: LARGE + 500 });
    const execution = await finishedExecution(executionArnOf(applicationId));
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(await historyOf(execution.executionArn!)).at(-1)).toBe('Rejected');
    expect((await applicationItem(applicationId)).gsi2pk).toBeUndefined();
    const mails = await waitFor(async () => {
      const sent = await sentMailTo(c.email);
      return sent.length > 0 ? sent : undefined;
    }, 'the rejection e-mail');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Your invoice application was rejected (application ${applicationId})`);
    expect(mails[0]!.body.text).toContain(
      'Reason: The amount does not match the contract; please apply per contract.',
    );
    expect(mails[0]!.attachments).toHaveLength(0);
    const invoice = await c.api.get(`/v1/invoices/${decided.body.invoices[0].invoiceId}`);
    expect(invoice.status).toBe(404);
    const again = await staff.post(`/v1/admin/applications/${applicationId}/decision`, {
      approve: false,
      reason: 'again',
    });
    expect(again.status).toBe(409);
  });

  it('R25 invariant 5 rejecting an application of 150 records (reserved in chunks) releases every one of them', async () => {
    // Prepare
    const records = Array.from({ length: 150 }, (_, i) =>
      order(`chunked-${String(i).padStart(3, '0')}-${uniqueId('o')}`, { cashAmount: 100_000 }),
    );
    const c = await customer('zh', records);
    const title = await c.api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    const created = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: records.map((r) => r.recordId),
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    expect(created.status).toBe(201);
    const { applicationId } = created.body;
    await inReview(c, applicationId);
    const reserved = await recordsOf(c.accountId);
    expect(reserved.filter((r) => r.reservedAmount === 100_000)).toHaveLength(150);

    // Act
    const decided = await (await finance()).post(`/v1/admin/applications/${applicationId}/decision`, {
      approve: false,
      reason: '请按合同分批申请',
    });

    // Assess
    expect(decided.status).toBe(200);
    const after = await recordsOf(c.accountId);
    expect(after).toHaveLength(150);
    for (const record of after) expect(record).toMatchObject({ reservedAmount: 0, availableAmount: 100_000 });
    const mails = await waitFor(async () => {
      const sent = await sentMailTo(c.email);
      return sent.length > 0 ? sent : undefined;
    }, 'the rejection e-mail');
    expect(mails[0]!.subject).toBe(`您的开票申请未通过审核（申请单 ${applicationId}）`);
    expect(mails[0]!.body.text).toContain('原因：请按合同分批申请');
  });

  it('R25 a rejection needs a reason; only finance decides; an application not in review answers 409', async () => {
    // Prepare: an application approved by rule (small, ordinary, electronic)
    const c = await customer('zh', [order(uniqueId('o'), { cashAmount: 1_000 })]);
    const title = await c.api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    const small = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_000,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    const staff = await finance();

    // Act
    const noReason = await staff.post(`/v1/admin/applications/${small.body.applicationId}/decision`, {
      approve: false,
    });
    const byCustomer = await c.api.post(`/v1/admin/applications/${small.body.applicationId}/decision`, {
      approve: true,
    });
    const unknown = await staff.post('/v1/admin/applications/app_missing/decision', { approve: true });
    await finishedExecution(executionArnOf(small.body.applicationId));
    const notInReview = await staff.post(`/v1/admin/applications/${small.body.applicationId}/decision`, {
      approve: true,
    });

    // Assess
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    expect(noReason.body.errors).toEqual([{ path: 'body.reason', message: 'is required to reject' }]);
    expect(byCustomer.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(notInReview.status).toBe(409);
    expect(notInReview.body.code).toBe('CONFLICT');
  });
});
