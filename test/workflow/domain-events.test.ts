import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE, EVENT_TYPES, type EventType } from '#domain/domain-events';
import type { StoredEvent } from '../../scripts/local/eventbridge.ts';
import { schemaErrors } from '../support/event-schemas.ts';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * Issue 14 on the local stack: each fact of the catalogue, written to the table, reaches the
 * service's bus as exactly one event valid against its documented schema, also when the stream
 * delivers every batch to the table-facts consumer three times (twice at once, once again
 * after), and when the bus refuses entries of a PutEvents call.
 */
let own: OwnStack;
let consumer: string;
/** How many times each table-facts batch is delivered (1 = as the stream does). */
let deliveries = 1;
/** Deliveries of a batch beyond the first (the injected duplicates). */
let duplicated = 0;

beforeAll(async () => {
  own = await startOwnStack();
  consumer = own.functionNamed('OperationsTableFacts');
  const invoke = own.stack.lambda.invoke.bind(own.stack.lambda);
  // Injected duplicate stream delivery: the same records, to the same consumer, again.
  own.stack.lambda.invoke = async (fn, event) => {
    if (fn !== consumer || deliveries === 1) return invoke(fn, event);
    duplicated += deliveries - 1;
    const [first, ...others] = await Promise.allSettled([invoke(fn, event), invoke(fn, event)]);
    for (let i = 2; i < deliveries; i++) others.push(...(await Promise.allSettled([invoke(fn, event)])));
    // One of two overlapping deliveries may find the other publishing and fail: the poller retries.
    const failed = [first!, ...others].find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return (first as PromiseFulfilledResult<unknown>).value;
  };
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

const put = (item: Record<string, unknown>) =>
  own.documents.send(new PutCommand({ TableName: own.tableName, Item: item }));
const setStatus = (key: { pk: string; sk: string }, status: string, fields: Record<string, unknown> = {}) => {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':status': status };
  const sets = ['#status = :status'];
  for (const [name, value] of Object.entries(fields)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  return own.documents.send(
    new UpdateCommand({
      TableName: own.tableName,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
};

/** The service's events on its bus that belong to the account (or the month's run). */
async function eventsFor(match: (detail: Record<string, any>) => boolean): Promise<StoredEvent[]> {
  await own.stack.streams.drain();
  await own.stack.events.drain();
  return own.stack.events
    .store()
    .events.filter((e) => e.event.source === EVENT_SOURCE && match(e.event.detail as Record<string, any>));
}

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 2, minutes)).toISOString();

/** Writes, through the table, one change per fact of the catalogue for a fresh account and month. */
async function writeEveryFact(accountId: string, month: string) {
  const application = (id: string, status: string) => ({
    pk: `APPLICATION#${id}`,
    sk: 'APPLICATION',
    applicationId: id,
    accountId,
    status,
    mode: 'amount',
    total: 10_600,
    invoices: [{ invoiceId: `${id}-inv` }],
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    submittedAt: at(0),
    timeline: [{ at: at(0), status }],
  });
  const step = (id: string, status: string, minute: number) =>
    setStatus({ pk: `APPLICATION#${id}`, sk: 'APPLICATION' }, status, {
      timeline: [
        { at: at(0), status: 'submitted' },
        { at: at(minute), status },
      ],
    });
  const [happy, cancelled, rejected, failed] = ['a', 'c', 'r', 'f'].map((s) => `${accountId}-${s}`);
  for (const id of [happy, cancelled, rejected, failed]) await put(application(id!, 'submitted'));
  await step(happy!, 'issuing', 1);
  await step(happy!, 'issued', 2);
  await step(happy!, 'delivered', 3);
  await step(cancelled!, 'cancelled', 1);
  await step(rejected!, 'in-review', 1);
  await step(rejected!, 'rejected', 2);
  await step(failed!, 'failed', 1);

  const invoiceId = `${accountId}-inv`;
  const invoice = {
    pk: `INVOICE#${invoiceId}`,
    sk: 'INVOICE',
    invoiceId,
    invoiceNumber: '26110000000000000001',
    applicationId: happy,
    accountId,
    kind: 'blue',
    entity: 'cn-bj-01',
    taxRate: '0.06',
    amount: 10_600,
    amountExcludingTax: 10_000,
    taxAmount: 600,
    status: 'issued',
    issuedAt: at(2),
    delivery: { medium: 'paper', addressId: 'addr-1' },
  };
  await put(invoice);
  await setStatus({ pk: invoice.pk, sk: 'INVOICE' }, 'shipped', {
    shipment: { courier: 'SF', trackingNumber: 'SF1234567890', shippedAt: at(10) },
  });
  await setStatus({ pk: invoice.pk, sk: 'INVOICE' }, 'delivered', { deliveredAt: at(20) });
  await put({
    ...invoice,
    pk: `INVOICE#${invoiceId}-red`,
    invoiceId: `${invoiceId}-red`,
    invoiceNumber: '26110000000000000002',
    kind: 'red',
    amount: -10_600,
    amountExcludingTax: -10_000,
    taxAmount: -600,
    issuedAt: at(30),
    originalInvoiceId: invoiceId,
    originalInvoiceNumber: invoice.invoiceNumber,
  });

  const title = (titleId: string, status: string) => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `TITLE#${titleId}`,
    accountId,
    titleId,
    type: 'enterprise-special',
    name: 'Buyer Co.',
    status,
    createdAt: at(0),
    updatedAt: at(0),
  });
  await put(title('t-ok', 'pending-review'));
  await setStatus({ pk: `ACCOUNT#${accountId}`, sk: 'TITLE#t-ok' }, 'approved', { decidedAt: at(5) });
  await put(title('t-no', 'pending-review'));
  await setStatus({ pk: `ACCOUNT#${accountId}`, sk: 'TITLE#t-no' }, 'rejected', { decidedAt: at(5) });

  await put({ pk: `MONTHLY_RUN#${month}`, sk: 'RUN', month, runId: `run-${month}`, status: 'running' });
  await setStatus({ pk: `MONTHLY_RUN#${month}`, sk: 'RUN' }, 'completed', {
    completedAt: at(40),
    totals: { processed: 2, created: 1, createdAmount: 10_600, skipped: 1, skippedByReason: {} },
  });
}

/**
 * Exactly one event per fact written by writeEveryFact (every catalogue type once, but four
 * applications submitted), each valid against its documented JSON Schema.
 */
function expectOneEventPerFact(events: StoredEvent[], busName: string) {
  const types = events.map((e) => e.event['detail-type']).sort();
  const expected = [...Object.keys(EVENT_TYPES), ...Array(3).fill('application.submitted')].sort();
  expect(types).toEqual(expected);
  for (const { bus, event } of events) {
    expect(bus).toBe(busName);
    const detail = event.detail as { type: EventType; id: string; occurredAt: string };
    expect(schemaErrors(detail), `${detail.type} against docs/events`).toEqual([]);
    expect(detail.type).toBe(event['detail-type']);
    expect(event.time).toBe(detail.occurredAt.replace(/\.\d{3}Z$/, 'Z'));
  }
  expect(new Set(events.map((e) => (e.event.detail as { id: string }).id)).size).toBe(events.length);
}

const busName = () => own.stack.template.eventBuses![0]!;
const belongsTo = (accountId: string, month: string) => (detail: Record<string, any>) =>
  detail.accountId === accountId || detail.data?.month === month;

describe('issue 14: domain events from the table’s change stream, exactly once', () => {
  it('each fact emits exactly one event with its documented schema', async () => {
    const accountId = ownId('events');
    await writeEveryFact(accountId, '2031-01');
    expectOneEventPerFact(await eventsFor(belongsTo(accountId, '2031-01')), busName());
    // The markers that made it so: one per event, published.
    const markers = await own.itemsWithPrefix('EVENT#');
    expect(markers.filter((m) => m.state === 'published').length).toBeGreaterThanOrEqual(17);
  }, 120_000);

  it('also when every batch is delivered three times, two of them at once', async () => {
    const accountId = ownId('dup');
    deliveries = 3;
    try {
      await writeEveryFact(accountId, '2031-02');
      expectOneEventPerFact(await eventsFor(belongsTo(accountId, '2031-02')), busName());
      expect(duplicated).toBeGreaterThan(0);
    } finally {
      deliveries = 1;
    }
  }, 120_000);

  it('also when the bus refuses entries of a PutEvents call (they are put again)', async () => {
    const accountId = ownId('refused');
    await fetch(`${own.stack.eventsUrl}/fail-next`, { method: 'POST', body: JSON.stringify({ count: 5 }) });
    await writeEveryFact(accountId, '2031-03');
    expectOneEventPerFact(await eventsFor(belongsTo(accountId, '2031-03')), busName());
  }, 120_000);

  it('real writers: a title and an application through the API emit their events once each', async () => {
    const accountId = ownId('api');
    await own.givenAccount(accountId, [order(ownId('o'))]);
    const customer = { accountId };
    const titleId = await own.givenTitle(accountId);
    const created = await own.request('POST', '/v1/applications', customer, {
      mode: 'amount',
      amount: 10_600,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    const arn = `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${created.body.applicationId}`;
    expect((await own.stack.stepFunctions.waitForExecution(arn, 45_000)).status).toBe('SUCCEEDED');

    const events = await eventsFor((detail) => detail.accountId === accountId);
    expect(events.map((e) => e.event['detail-type']).sort()).toEqual([
      'application.approved',
      'application.delivered',
      'application.issued',
      'application.submitted',
      'invoice.issued',
      'title.approved',
    ]);
    for (const { event } of events) expect(schemaErrors(event.detail as object)).toEqual([]);
    const byType = Object.fromEntries(events.map((e) => [e.event['detail-type'], e.event.detail as any]));
    expect(byType['application.submitted'].data).toMatchObject({
      applicationId: created.body.applicationId,
      total: 10_600,
      medium: 'electronic',
    });
    expect(byType['application.issued'].data.invoiceIds).toEqual([byType['invoice.issued'].data.invoiceId]);
    expect(byType['title.approved'].data).toEqual({
      titleId,
      titleType: 'enterprise-ordinary',
      reviewedBy: 'automatic',
    });
  }, 120_000);
});

describe('issue 14: a bounced delivery address is marked, and no more mail goes there', () => {
  const apply = async (accountId: string, titleId: string, email: string) => {
    const created = await own.request(
      'POST',
      '/v1/applications',
      { accountId },
      {
        mode: 'amount',
        amount: 1_060,
        titleId,
        delivery: { medium: 'electronic', email },
      },
    );
    expect(created.status).toBe(201);
    const arn = `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${created.body.applicationId}`;
    expect((await own.stack.stepFunctions.waitForExecution(arn, 45_000)).status).toBe('SUCCEEDED');
    return created.body.applicationId as string;
  };

  it('a simulated SES bounce marks the application and the title and suppresses the next mail', async () => {
    const accountId = ownId('bounce');
    const address = `${accountId}@example.com`;
    await own.givenAccount(
      accountId,
      [1, 2, 3].map(() => order(ownId('o'), { cashAmount: 1_060 })),
    );
    const customer = { accountId };
    const titleId = await own.givenTitle(accountId, { notifyEmail: address });
    const first = await apply(accountId, titleId, address);
    expect(await own.mailTo(address)).toHaveLength(1);

    // SES reports a hard bounce of that mail on the default bus (it cannot bounce locally).
    const { sesEvent } = await import('../support/ses-events.ts');
    const bounce = sesEvent('Bounce', [address.toUpperCase()], {
      accountId,
      item: { pk: `APPLICATION#${first}`, sk: 'APPLICATION' },
    });
    own.stack.events.inject({
      Source: bounce.source,
      DetailType: bounce['detail-type'],
      Detail: JSON.stringify(bounce.detail),
    });
    await own.stack.events.drain();
    const delivered = own.stack.events
      .store()
      .events.filter((e) => e.event.source === 'aws.ses')
      .at(-1);
    expect(delivered?.deliveries.map((d) => d.state)).toEqual(['delivered']);

    // Shown on the application and on the title.
    const mark = { address, kind: 'bounce', type: 'Permanent', suppressed: true };
    const application = await own.request('GET', `/v1/applications/${first}`, customer);
    expect(application.body.deliveryBounce).toMatchObject(mark);
    expect(application.body.deliveryBounce.at).toMatch(/\+08:00$/);
    expect(
      (await own.request('GET', `/v1/titles/${titleId}`, customer)).body.notifyEmailBounce,
    ).toMatchObject(mark);

    // The next mail to the address is suppressed: the application is delivered, SES sent nothing.
    await apply(accountId, titleId, address);
    expect(await own.mailTo(address)).toHaveLength(1);

    // The customer changes the title's address: the mark goes, the new address gets mail.
    const other = `${accountId}-new@example.com`;
    const changed = await own.request('PUT', `/v1/titles/${titleId}`, customer, {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
      notifyEmail: other,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.notifyEmailBounce).toBeUndefined();
    await apply(accountId, titleId, other);
    expect(await own.mailTo(other)).toHaveLength(1);
    expect(await own.mailTo(address)).toHaveLength(1);
  }, 180_000);
});
