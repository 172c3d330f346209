import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, order, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import {
  documents,
  executionArnOf,
  finishedExecution,
  historyOf,
  sfn,
  statesEntered,
} from '../support/aws.ts';
import {
  type BundledFunctions,
  bundledFunctions,
  DEAD_ENDPOINT,
  functionEnvironment,
  proxyEvent,
  useFunctionEnvironment,
} from '../support/in-process.ts';

/**
 * Invariant 4: an accepted application (or return) is never lost. The bundled functions of the
 * template run here in a Lambda runtime of the test's own: the create (or return) function with
 * Step Functions out of reach (StartExecution fails, as when the process dies before it), then
 * the sweeper that EventBridge Scheduler runs every minute, against the shared stack.
 */
let unreachable: BundledFunctions;
let live: BundledFunctions;

beforeAll(() => {
  unreachable = bundledFunctions({ AWS_ENDPOINT_URL_SFN: DEAD_ENDPOINT, AWS_MAX_ATTEMPTS: '1' });
  live = bundledFunctions();
});
afterAll(async () => {
  await Promise.all([unreachable.close(), live.close()]);
});

const SWEEPER = 'functions/workflow/start-pending.ts';

async function customer(records: Record<string, unknown>[]) {
  const accountId = uniqueId('lost');
  await givenAccount(accountId, { records });
  const api = await clientFor(accountId);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  return { accountId, api, titleId: title.body.titleId as string, email: `${accountId}@example.com` };
}

async function applicationItem(applicationId: string) {
  const { Item } = await documents().send(
    new GetCommand({
      TableName: inject('tableName'),
      Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function executionsOf(applicationId: string) {
  const { executions } = await sfn().send(
    new ListExecutionsCommand({ stateMachineArn: inject('stateMachineArn'), maxResults: 1000 }),
  );
  return (executions ?? []).filter((e) => e.name === applicationId);
}

async function returnItem(returnId: string) {
  const { Item } = await documents().send(
    new GetCommand({
      TableName: inject('tableName'),
      Key: { pk: `RETURN#${returnId}`, sk: 'RETURN' },
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function returnExecutionsOf(returnId: string) {
  const { executions } = await sfn().send(
    new ListExecutionsCommand({
      stateMachineArn: functionEnvironment().RETURNS_STATE_MACHINE_ARN,
      maxResults: 1000,
    }),
  );
  return (executions ?? []).filter((e) => e.name === returnId);
}

/** The workflow create starts before it stores the application, started here with none stored. */
async function startAhead(applicationId: string, accountId: string, waitUntil: string, acceptBy: string) {
  await sfn().send(
    new StartExecutionCommand({
      stateMachineArn: inject('stateMachineArn'),
      name: applicationId,
      input: JSON.stringify({ applicationId, accountId, waitUntil, acceptBy, correlationId: applicationId }),
    }),
  );
}

describe('never lost (invariant 4)', () => {
  it('invariant 4 an application whose workflow start failed is started by the sweeper and issued, once', async () => {
    // Prepare: accepted while Step Functions is unreachable
    const c = await customer([order(uniqueId('o'), { cashAmount: 2_000 })]);
    const response = (await unreachable.invoke(
      'functions/api/applications-write.ts',
      proxyEvent('POST', '/v1/applications', c.accountId, {
        body: {
          mode: 'amount',
          amount: 2_000,
          titleId: c.titleId,
          delivery: { medium: 'electronic', email: c.email },
        },
      }),
    )) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(201);
    const { applicationId } = JSON.parse(response.body);
    expect((await c.api.get(`/v1/applications/${applicationId}`)).body.status).toBe('submitted');
    expect(await executionsOf(applicationId)).toEqual([]);
    expect((await applicationItem(applicationId))?.gsi2pk).toBe('WORKFLOW_PENDING');

    // Act: the scheduled sweep (every minute; here without the one-minute grace)
    const swept = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });
    const again = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });

    // Assess
    expect(swept.started).toBeGreaterThanOrEqual(1);
    expect(swept.failed).toBe(0);
    expect(again.failed).toBe(0);
    expect((await applicationItem(applicationId))?.gsi2pk).toBeUndefined();
    const execution = await finishedExecution(executionArnOf(applicationId));
    expect(execution.status).toBe('SUCCEEDED');
    const issued = await c.api.get(`/v1/applications/${applicationId}`);
    expect(['issued', 'delivered']).toContain(issued.body.status);
    expect(await executionsOf(applicationId)).toHaveLength(1);
    expect(
      await waitFor(async () => ((await sentMailTo(c.email)).length === 1 ? true : undefined), 'the mail'),
    ).toBe(true);
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ invoiced: 2_000, reserved: 0 });
  });

  it('invariant 4 R34 a return whose workflow start failed is started by the sweeper and completes, once', async () => {
    // Prepare: an issued, delivered invoice; its return recorded while Step Functions is unreachable
    const recordId = uniqueId('o');
    const c = await customer([order(recordId, { cashAmount: 3_180 })]);
    const created = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [recordId],
      titleId: c.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    expect(created.status).toBe(201);
    const delivered = await waitFor(async () => {
      const r = await c.api.get(`/v1/applications/${created.body.applicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the application to be delivered');
    const invoiceId = delivered.invoices[0].invoiceId as string;
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ invoiced: 3_180, amount: 0 });
    const path = `/v1/invoices/${invoiceId}/returns`;
    const response = (await unreachable.invoke(
      'functions/api/returns.ts',
      proxyEvent('POST', path, c.accountId, {
        body: { reason: 'ISSUE_ERROR' },
        pathParameters: { invoiceId },
      }),
    )) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(202);
    const { returnId, redInvoiceId } = JSON.parse(response.body);
    expect((await c.api.get(`/v1/invoices/${invoiceId}`)).body).toMatchObject({
      status: 'returning',
      return: { returnId, status: 'crediting' },
    });
    expect(await returnExecutionsOf(returnId)).toEqual([]);
    expect(await returnItem(returnId)).toMatchObject({
      status: 'crediting',
      gsi2pk: 'RETURN_WORKFLOW_PENDING',
    });

    // Act: two scheduled sweeps (here without the one-minute grace)
    const swept = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });
    const again = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });

    // Assess: started by the sweeper, off its list, run to its end once
    expect(swept.returnsStarted).toBeGreaterThanOrEqual(1);
    expect(swept.failed).toBe(0);
    expect(again.failed).toBe(0);
    expect((await returnItem(returnId))?.gsi2pk).toBeUndefined();
    const executions = await returnExecutionsOf(returnId);
    expect(executions).toHaveLength(1);
    expect((await finishedExecution(executions[0]!.executionArn!)).status).toBe('SUCCEEDED');
    const original = (await c.api.get(`/v1/invoices/${invoiceId}`)).body;
    expect(original.return).toMatchObject({ returnId, status: 'credited' });
    // one red-letter invoice
    const invoices = (await c.api.get('/v1/invoices')).body.items as { invoiceId: string; kind: string }[];
    expect(invoices.filter((i) => i.kind === 'red').map((i) => i.invoiceId)).toEqual([redInvoiceId]);
    expect((await c.api.get(`/v1/invoices/${redInvoiceId}`)).body).toMatchObject({
      kind: 'red',
      amount: -3_180,
      originalInvoiceId: invoiceId,
    });
    // the ledger restored once: the record is invoiceable again, not twice over
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({
      invoiced: 0,
      reserved: 0,
      amount: 3_180,
    });
    const records = (await c.api.get('/v1/billing-records')).body.items as {
      recordId: string;
      invoicedAmount: number;
      invoiceableAmount: number;
    }[];
    expect(records.find((r) => r.recordId === recordId)).toMatchObject({
      invoicedAmount: 0,
      invoiceableAmount: 3_180,
    });
    // one e-mail to the customer about it
    const redMail = (await sentMailTo(c.email)).filter((m) => m.subject.includes('红字发票'));
    expect(redMail).toHaveLength(1);
    expect(redMail[0]!.subject).toContain(original.return.redInvoiceNumber);
  });

  it('invariant 4 a workflow started for an application that is never stored ends without touching anything', async () => {
    // Prepare: create starts the workflow first; here its transaction never happened (a conflict,
    // a dead process) and the time the application could still arrive has passed
    const c = await customer([order(uniqueId('o'), { cashAmount: 1_200 })]);
    const applicationId = uniqueId('app_never');
    const now = new Date().toISOString();

    // Act
    await startAhead(applicationId, c.accountId, now, now);

    // Assess: ended as not accepted, nothing written, nothing sent, the ledger untouched
    const execution = await finishedExecution(executionArnOf(applicationId));
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(await historyOf(executionArnOf(applicationId)))).toEqual([
      'WaitForCancellationDeadline',
      'Review',
      'RouteByReview',
      'NotAccepted',
    ]);
    expect(await applicationItem(applicationId)).toBeUndefined();
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ amount: 1_200, reserved: 0 });
    expect(await sentMailTo(c.email)).toEqual([]);
  });

  it('invariant 4 a workflow that reaches its review before the application is stored waits for it, then issues it once', async () => {
    // Prepare: the workflow runs ahead of its application (a cancellation deadline already passed)
    const c = await customer([order(uniqueId('o'), { cashAmount: 1_300 })]);
    const applicationId = uniqueId('app_late');
    const now = new Date();
    await startAhead(
      applicationId,
      c.accountId,
      now.toISOString(),
      new Date(now.getTime() + 60_000).toISOString(),
    );
    const notYet = await waitFor(async () => {
      const failures = (await historyOf(executionArnOf(applicationId))).filter(
        (e) => e.taskFailedEventDetails?.error === 'ApplicationNotStoredYet',
      );
      return failures.length > 0 ? failures.length : undefined;
    }, 'the review to find the application missing');
    expect(notYet).toBeGreaterThanOrEqual(1);

    // Act: the application is stored under that id (its create finds the workflow started)
    useFunctionEnvironment();
    const { createApplication } = await import('#use-cases/applications');
    const { planApplication } = await import('#use-cases/application-plan');
    const body = {
      mode: 'amount' as const,
      amount: 1_300,
      titleId: c.titleId,
      delivery: { medium: 'electronic' as const, email: c.email },
    };
    const created = await createApplication(
      c.accountId,
      body,
      undefined,
      new Date(),
      undefined,
      async (at) => ({
        ...(await planApplication(c.accountId, body, at)),
        applicationId,
      }),
    );
    expect(created.statusCode).toBe(201);

    // Assess: the same execution issues it; no mark for the sweeper; one mail
    expect((await applicationItem(applicationId))?.gsi2pk).toBeUndefined();
    const execution = await finishedExecution(executionArnOf(applicationId));
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(await historyOf(executionArnOf(applicationId)))).toContain('DeliverInvoices');
    expect(await executionsOf(applicationId)).toHaveLength(1);
    expect(['issued', 'delivered']).toContain(
      (await c.api.get(`/v1/applications/${applicationId}`)).body.status,
    );
    expect(
      await waitFor(async () => ((await sentMailTo(c.email)).length === 1 ? true : undefined), 'the mail'),
    ).toBe(true);
  });

  it('invariant 4 a process that died after StartExecution but before clearing the mark: the sweeper finds the execution and starts nothing twice', async () => {
    // Prepare: a normal application whose pending mark is put back, as if the process died there
    const c = await customer([order(uniqueId('o'), { cashAmount: 1_500 })]);
    const created = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_500,
      titleId: c.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    const { applicationId } = created.body;
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
        UpdateExpression: 'SET gsi2pk = :p, gsi2sk = :at',
        ExpressionAttributeValues: {
          ':p': 'WORKFLOW_PENDING',
          ':at': new Date(Date.now() - 1_000).toISOString(),
        },
      }),
    );

    // Act
    const swept = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });

    // Assess
    expect(swept.failed).toBe(0);
    expect((await applicationItem(applicationId))?.gsi2pk).toBeUndefined();
    expect((await finishedExecution(executionArnOf(applicationId))).status).toBe('SUCCEEDED');
    expect(await executionsOf(applicationId)).toHaveLength(1);
    expect(['issued', 'delivered']).toContain(
      (await c.api.get(`/v1/applications/${applicationId}`)).body.status,
    );
    expect(await sentMailTo(c.email)).toHaveLength(1);
  });

  it('invariant 4 R34 a return whose process died after StartExecution but before clearing the mark is not started twice', async () => {
    // Prepare: a return started normally, its mark put back as if the process died there
    const recordId = uniqueId('o');
    const c = await customer([order(recordId, { cashAmount: 1_060 })]);
    const created = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [recordId],
      titleId: c.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    const delivered = await waitFor(async () => {
      const r = await c.api.get(`/v1/applications/${created.body.applicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the application to be delivered');
    const invoiceId = delivered.invoices[0].invoiceId as string;
    const accepted = await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'SALES_RETURN' });
    expect(accepted.status).toBe(202);
    const { returnId } = accepted.body;
    expect((await returnItem(returnId))?.gsi2pk).toBeUndefined();
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: `RETURN#${returnId}`, sk: 'RETURN' },
        UpdateExpression: 'SET gsi2pk = :p, gsi2sk = :at',
        ExpressionAttributeValues: {
          ':p': 'RETURN_WORKFLOW_PENDING',
          ':at': new Date(Date.now() - 1_000).toISOString(),
        },
      }),
    );

    // Act
    const swept = await live.invoke(SWEEPER, { pendingOlderThanSeconds: 0 });

    // Assess
    expect(swept.failed).toBe(0);
    expect((await returnItem(returnId))?.gsi2pk).toBeUndefined();
    const executions = await returnExecutionsOf(returnId);
    expect(executions).toHaveLength(1);
    expect((await finishedExecution(executions[0]!.executionArn!)).status).toBe('SUCCEEDED');
    expect((await c.api.get(`/v1/invoices/${invoiceId}`)).body.return.status).toBe('credited');
    const invoices = (await c.api.get('/v1/invoices')).body.items as { kind: string }[];
    expect(invoices.filter((i) => i.kind === 'red')).toHaveLength(1);
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ invoiced: 0, amount: 1_060 });
    expect((await sentMailTo(c.email)).filter((m) => m.subject.includes('红字发票'))).toHaveLength(1);
  });

  it('invariant 4 a chunked reservation left half-done by a dead process is released exactly once and removed; meanwhile its key answers CONFLICT', async () => {
    // Prepare: 150 records (two chunks); the creator dies after the first chunk committed
    const accountId = uniqueId('half');
    const records = Array.from({ length: 150 }, (_, i) => order(`${accountId}-o${i}`, { cashAmount: 100 }));
    await givenAccount(accountId, { records });
    const api = await clientFor(accountId);
    const title = await api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    useFunctionEnvironment({ CANCEL_WINDOW: 'PT2S' });
    const { createApplication } = await import('#use-cases/applications');
    const { documentClient } = await import('#adapters/dynamodb');
    // Fault injection at the SDK transport: from the second transaction on, every call fails.
    let transactions = 0;
    let dead = false;
    const dieAfterFirstChunk = 'die-after-first-chunk';
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^TransactWrite/.test(String(context.commandName)) && ++transactions === 2) dead = true;
        if (dead) throw new Error('the process died');
        return next(args);
      },
      { step: 'initialize', name: dieAfterFirstChunk },
    );
    const body = {
      mode: 'orders' as const,
      recordIds: records.map((r) => r.recordId as string),
      titleId: title.body.titleId as string,
      delivery: { medium: 'electronic' as const, email: `${accountId}@example.com` },
    };
    await expect(createApplication(accountId, body, 'half-key', new Date())).rejects.toThrow(
      'the process died',
    );
    documentClient.middlewareStack.remove(dieAfterFirstChunk);
    const left = await documents().send(
      new QueryCommand({
        TableName: inject('tableName'),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}#APPLICATIONS` },
      }),
    );
    expect(left.Items).toEqual([]);
    // The first chunk: 95 records (a chunk's transaction also carries the ledger aggregate update).
    expect((await api.get('/v1/invoiceable')).body.formula.reserved).toBe(9_500);
    expect((await api.get('/v1/applications')).body.items).toEqual([]);

    // Meanwhile the same Idempotency-Key answers 409 CONFLICT (retry is safe), another body 422.
    const waiting = await api.post('/v1/applications', body, { 'idempotency-key': 'half-key' });
    expect(waiting.status).toBe(409);
    expect(waiting.body.code).toBe('CONFLICT');
    const reused = await api.post(
      '/v1/applications',
      { ...body, recordIds: body.recordIds.slice(1) },
      {
        'idempotency-key': 'half-key',
      },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Act: two sweeps at once (overlapping scheduled runs)
    const [first, second] = await Promise.all([
      live.invoke(SWEEPER, { pendingOlderThanSeconds: 0, reservingOlderThanSeconds: 0 }),
      live.invoke(SWEEPER, { pendingOlderThanSeconds: 0, reservingOlderThanSeconds: 0 }),
    ]);

    // Assess: released once, nothing left, and the key can be used again
    expect(first.failed + second.failed).toBe(0);
    expect(first.rolledBack + second.rolledBack).toBeGreaterThanOrEqual(1);
    const ledger = (await api.get('/v1/invoiceable')).body;
    expect(ledger.formula).toMatchObject({ reserved: 0, amount: 15_000 });
    const after = await createApplication(accountId, body, 'half-key', new Date());
    expect(after.statusCode).toBe(201);
    expect((after.body as { total: number }).total).toBe(15_000);
    const restarted = (after.body as { applicationId: string }).applicationId;
    expect(
      (await sfn().send(new DescribeExecutionCommand({ executionArn: executionArnOf(restarted) }))).status,
    ).toBe('RUNNING');
  });
});
