import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { METRICS } from '#domain/table-facts';
import { clientFor, givenAccount, order, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import { documents } from '../support/aws.ts';

/** Every JSON line every function has written so far, with the function's logical id. */
function functionLogs(): { fn: string; entry: Record<string, any> }[] {
  const dir = inject('functionLogDir');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.log'))
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [{ fn: file.slice(0, -'.log'.length), entry: JSON.parse(line) as Record<string, any> }];
          } catch {
            return [];
          }
        }),
    );
}

/** The functions one electronic application passes through, by logical-id prefix. */
const PATH = [
  'ApiApplicationsWrite',
  'ReviewApplication',
  'IssueInvoices',
  'DeliverInvoices',
  'AuditRecordChanges',
  'OperationsTableFacts',
];
const functionOf = (logicalId: string) => PATH.find((prefix) => logicalId.startsWith(prefix));

describe('operations (issue 16): one application followed by its correlation id', () => {
  it('finds the id on every log line of each function it passed through, on its e-mail and audit entries, and its metrics', async () => {
    // Prepare: an amount no other test uses, so the metric values are this application's
    const accountId = uniqueId('ops');
    const correlationId = `ticket.${accountId}`;
    const amount = 20_000 + Math.floor(Math.random() * 9_000) + 1;
    const email = `${accountId}@example.com`;
    await givenAccount(accountId, { records: [order(uniqueId('o'), { cashAmount: amount })] });
    const customer = await clientFor(accountId);
    const title = await customer.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    expect(title.status).toBe(201);

    // Act: apply with the id a support ticket would quote; wait for delivery
    const created = await customer.post(
      '/v1/applications',
      { mode: 'amount', amount, titleId: title.body.titleId, delivery: { medium: 'electronic', email } },
      { 'X-Correlation-Id': correlationId },
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('x-correlation-id')).toBe(correlationId);
    const applicationId = created.body.applicationId as string;
    const invoiceId = created.body.invoices[0].invoiceId as string;
    await waitFor(async () => {
      const r = await customer.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the application to be delivered');
    // The stream consumers run after the last write: wait for the e-mail's fact.
    const facts = () =>
      functionLogs().filter(
        ({ fn, entry }) =>
          fn.startsWith('OperationsTableFacts') &&
          entry.message === 'fact' &&
          entry.correlation_id === correlationId,
      );
    await waitFor(
      async () => (facts().some(({ entry }) => entry.metric === 'EmailsSent') ? true : undefined),
      'the e-mail to be counted',
    );
    await waitFor(
      async () =>
        functionLogs().some(
          ({ fn, entry }) =>
            fn.startsWith('AuditRecordChanges') &&
            entry.subjectId === applicationId &&
            entry.correlation_id === correlationId &&
            entry.seq >= 4,
        )
          ? true
          : undefined,
      'the audit recorder to log the delivery',
    );

    // Assess 1: every function on the path logged under the id (their output reaches the log
    // files a little after the work it reports: wait for each), and every line of the workflow
    // about this application carries it (a ticket finds them all)
    const logged = () =>
      new Set(
        functionLogs()
          .filter(({ entry }) => entry.correlation_id === correlationId)
          .map(({ fn }) => functionOf(fn)),
      );
    await waitFor(
      async () => (PATH.every((fn) => logged().has(fn)) ? true : undefined),
      `a line with the id from each of ${PATH.join(', ')}`,
    );
    expect(logged()).toEqual(new Set(PATH));
    const logs = functionLogs();
    const aboutIt = logs.filter(
      ({ fn, entry }) =>
        functionOf(fn) !== undefined &&
        (entry.applicationId === applicationId || entry.subjectId === applicationId),
    );
    expect(aboutIt.length).toBeGreaterThan(5);
    expect(
      aboutIt
        .filter(({ entry }) => entry.correlation_id !== correlationId)
        .map(({ fn, entry }) => `${fn}: ${entry.message}`),
    ).toEqual([]);

    // Assess 2: the e-mail and the audit entries carry it
    const [mail] = await sentMailTo(email);
    expect(mail?.headers?.find((h) => h.name.toLowerCase() === 'x-correlation-id')?.value).toBe(
      correlationId,
    );
    const { Items: entries = [] } = await documents().send(
      new QueryCommand({
        TableName: inject('tableName'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': `AUDIT#application#${applicationId}`, ':entry': 'ENTRY#' },
        ConsistentRead: true,
      }),
    );
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(entries.map((e) => e.correlationId)).toEqual(entries.map(() => correlationId));

    // Assess 3: the facts of this application, by metric
    const values = new Map<string, number[]>();
    for (const { entry } of facts())
      values.set(entry.metric, [...(values.get(entry.metric) ?? []), entry.value]);
    expect(values.get('ApplicationsAccepted')).toEqual([1]);
    expect(values.get('ApplicationsIssued')).toEqual([1]);
    expect(values.get('InvoicesIssued')).toEqual([1]);
    expect(values.get('IssuedAmountFen')).toEqual([amount]);
    expect(values.get('EmailsSent')).toEqual([1]);
    const [seconds] = values.get('SubmitToIssuedSeconds') ?? [];
    expect(seconds).toBeGreaterThan(0);
    expect([...values.keys()].sort()).toEqual([
      'ApplicationsAccepted',
      'ApplicationsIssued',
      'EmailsSent',
      'InvoicesIssued',
      'IssuedAmountFen',
      'SubmitToIssuedSeconds',
    ]);
    expect(facts().find(({ entry }) => entry.metric === 'InvoicesIssued')?.entry.invoiceId).toBe(invoiceId);

    // Assess 4: the embedded-metric-format lines CloudWatch would turn into metrics: the one
    // namespace, the service dimension, each metric with its unit, and this amount among the values
    const emf = logs
      .filter(({ fn, entry }) => fn.startsWith('OperationsTableFacts') && entry._aws)
      .map(({ entry }) => entry);
    const withAmount = emf.filter((e) => [e.IssuedAmountFen].flat().includes(amount));
    expect(withAmount).toHaveLength(1);
    const line = withAmount[0]!;
    expect(line.service).toBe('invoice-service');
    const directive = line._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('InvoiceService');
    expect(directive.Dimensions).toEqual([['service']]);
    for (const { Name, Unit } of directive.Metrics as { Name: keyof typeof METRICS; Unit: string }[]) {
      expect(Unit, Name).toBe(METRICS[Name]);
    }
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual(
      expect.arrayContaining(['InvoicesIssued', 'IssuedAmountFen']),
    );
    expect(emf.some((e) => [e.SubmitToIssuedSeconds].flat().includes(seconds))).toBe(true);
  });

  it('a return follows the id of the request that asked for it through its workflow', async () => {
    // Prepare: a delivered invoice
    const accountId = uniqueId('ops');
    const email = `${accountId}@example.com`;
    await givenAccount(accountId, { records: [order(uniqueId('o'), { cashAmount: 10_600 })] });
    const customer = await clientFor(accountId);
    const title = await customer.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    const created = await customer.post('/v1/applications', {
      mode: 'amount',
      amount: 10_600,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email },
    });
    expect(created.status).toBe(201);
    const invoiceId = created.body.invoices[0].invoiceId as string;
    const applicationId = created.body.applicationId as string;
    await waitFor(async () => {
      const r = await customer.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the application to be delivered');

    // Act: the return, under the id a ticket would quote
    const correlationId = `return.${accountId}`;
    const returned = await customer.post(
      `/v1/invoices/${invoiceId}/returns`,
      { reason: 'ISSUE_ERROR' },
      { 'X-Correlation-Id': correlationId },
    );
    expect(returned.status).toBe(202);
    const returnId = returned.body.returnId as string;
    await waitFor(
      async () =>
        functionLogs().some(
          ({ fn, entry }) =>
            fn.startsWith('OperationsTableFacts') &&
            entry.metric === 'ReturnsCompleted' &&
            entry.correlation_id === correlationId,
        )
          ? true
          : undefined,
      'the return to be completed and counted',
    );

    // Assess: the API function and the returns step logged under it, and the return's fact carries it
    const withId = functionLogs().filter(({ entry }) => entry.correlation_id === correlationId);
    expect(withId.some(({ fn }) => fn.startsWith('ApiReturns'))).toBe(true);
    expect(withId.some(({ fn }) => fn.startsWith('ReturnsStepFunction'))).toBe(true);
    const completed = withId.filter(({ entry }) => entry.metric === 'ReturnsCompleted');
    expect(completed.map(({ entry }) => entry.returnId)).toEqual([returnId]);
  });

  it('answers with the id and puts it in a problem’s instance; refuses a malformed one', async () => {
    const customer = await clientFor(uniqueId('ops'));
    const missing = await customer.request('GET', '/v1/applications/app_missing', undefined, {
      'X-Correlation-Id': 'support-42',
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-correlation-id')).toBe('support-42');
    expect(missing.body.instance).toBe('urn:invoice-service:correlation:support-42');

    const generated = await customer.get('/v1/applications/app_missing');
    const id = generated.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/); // the gateway's request id
    expect(generated.body.instance).toBe(`urn:invoice-service:correlation:${id}`);

    const malformed = await customer.request('GET', '/v1/applications', undefined, {
      'X-Correlation-Id': 'no spaces please',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'header.x-correlation-id' }],
    });
    expect(malformed.body.instance).toBe(
      `urn:invoice-service:correlation:${malformed.headers.get('x-correlation-id')}`,
    );
  });
});
