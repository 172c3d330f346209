import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalEventBridge, startEventBridge } from '../../scripts/local/eventbridge.ts';
import { matchesPattern } from '../../scripts/local/streams.ts';
import { readTemplate } from '../../scripts/local/template.ts';
import { LambdaInvocationError, type LambdaRuntime, type LocalEventRule } from '../../scripts/local/types.ts';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** A Lambda runtime that records invocations and fails a function's first `failures[fn]` calls. */
function fakeLambda(failures: Record<string, number> = {}) {
  const calls: { fn: string; event: any }[] = [];
  const runtime: LambdaRuntime = {
    async invoke(fn, event) {
      calls.push({ fn, event });
      if ((failures[fn] ?? 0) > 0) {
        failures[fn]!--;
        throw new LambdaInvocationError('Error', 'handler failed');
      }
      return null;
    },
    async close() {},
  };
  return { runtime, calls };
}

const rule = (
  logicalId: string,
  pattern: Record<string, unknown>,
  fn: string,
  extra: Partial<LocalEventRule['targets'][number]> = {},
  busName = 'invoice-service-dev',
): LocalEventRule => ({
  logicalId,
  busName,
  pattern,
  enabled: true,
  targets: [
    { id: 'T', functionLogicalId: fn, maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400, ...extra },
  ],
});

describe('local EventBridge: PutEvents, rules, asynchronous delivery to Lambda targets', () => {
  let bus: LocalEventBridge | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });
  const start = async (rules: LocalEventRule[], lambda: LambdaRuntime, retryBaseMs = 1) => {
    bus = await startEventBridge({
      port: 0,
      buses: ['invoice-service-dev'],
      rules,
      lambda,
      retryBaseMs,
      log: () => {},
    });
    return new EventBridgeClient({ ...local, endpoint: bus.url });
  };
  const entry = (detailType: string, detail: Record<string, unknown>, busName = 'invoice-service-dev') => ({
    EventBusName: busName,
    Source: 'invoice-service',
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    Time: new Date('2026-12-05T01:00:00.000Z'),
  });

  it('answers the SDK’s PutEvents with an id per entry and delivers matching events to their targets', async () => {
    const { runtime, calls } = fakeLambda();
    const client = await start(
      [
        rule('Issued', { source: ['invoice-service'], 'detail-type': ['invoice.issued'] }, 'OnIssued'),
        rule('Applications', { 'detail-type': [{ prefix: 'application.' }] }, 'OnApplication'),
        rule('Elsewhere', { source: ['invoice-service'] }, 'OnDefault', {}, 'default'),
      ],
      runtime,
    );
    const result = await client.send(
      new PutEventsCommand({
        Entries: [entry('invoice.issued', { id: 'e1' }), entry('application.cancelled', { id: 'e2' })],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries?.map((e) => typeof e.EventId)).toEqual(['string', 'string']);
    await bus!.drain();
    expect(calls.map((c) => [c.fn, c.event.detail.id])).toEqual([
      ['OnIssued', 'e1'],
      ['OnApplication', 'e2'],
    ]);
    expect(calls[0]!.event).toMatchObject({
      version: '0',
      id: result.Entries![0]!.EventId,
      source: 'invoice-service',
      'detail-type': 'invoice.issued',
      time: '2026-12-05T01:00:00Z',
      region: 'us-east-1',
      account: '000000000000',
      resources: [],
    });
    // Kept for tests, with the deliveries.
    const store = bus!.store();
    expect(
      store.events.map((e) => [e.bus, e.event['detail-type'], e.deliveries.map((d) => d.state)]),
    ).toEqual([
      ['invoice-service-dev', 'invoice.issued', ['delivered']],
      ['invoice-service-dev', 'application.cancelled', ['delivered']],
    ]);
    const overHttp = (await (await fetch(`${bus!.url}/store`)).json()) as { events: unknown[] };
    expect(overHttp.events).toHaveLength(2);
  });

  it('refuses entries per entry: unknown bus, missing fields, malformed detail, aws. sources', async () => {
    const { runtime } = fakeLambda();
    const client = await start([], runtime);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry('a', {}, 'nope'),
          { EventBusName: 'invoice-service-dev', Source: 'invoice-service', DetailType: 'a' },
          { ...entry('a', {}), Detail: 'not json' },
          { ...entry('a', {}), Source: 'aws.ses' },
          entry('fine', {}),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ResourceNotFoundException',
      'InvalidArgument',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ok',
    ]);
    await expect(client.send(new PutEventsCommand({ Entries: [] }))).rejects.toThrow(
      /length between 1 and 10/,
    );
  });

  it('refuses the next entries when told to (a partial failure for tests)', async () => {
    const { runtime } = fakeLambda();
    const client = await start([], runtime);
    await fetch(`${bus!.url}/fail-next`, { method: 'POST', body: JSON.stringify({ count: 1 }) });
    const result = await client.send(new PutEventsCommand({ Entries: [entry('a', {}), entry('b', {})] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorCode).toBe('ThrottlingException');
    expect(bus!.store().events.map((e) => e.event['detail-type'])).toEqual(['b']);
  });

  it('retries a failing target with backoff, and drops the event after its RetryPolicy', async () => {
    const { runtime, calls } = fakeLambda({ Flaky: 2, Broken: 100 });
    const client = await start(
      [
        rule('ToFlaky', { source: ['invoice-service'] }, 'Flaky'),
        rule('ToBroken', { source: ['invoice-service'] }, 'Broken', { maximumRetryAttempts: 3 }),
      ],
      runtime,
    );
    await client.send(new PutEventsCommand({ Entries: [entry('x', {})] }));
    await bus!.drain();
    expect(calls.filter((c) => c.fn === 'Flaky')).toHaveLength(3);
    expect(calls.filter((c) => c.fn === 'Broken')).toHaveLength(4);
    const deliveries = bus!.store().events[0]!.deliveries;
    expect(deliveries.map((d) => [d.functionLogicalId, d.state, d.attempts])).toEqual([
      ['Flaky', 'delivered', 3],
      ['Broken', 'dropped', 4],
    ]);
    expect(deliveries[1]!.lastError).toMatch(/handler failed/);
  });

  it('hands a target its Input or InputPath instead of the event', async () => {
    const { runtime, calls } = fakeLambda();
    const client = await start(
      [
        rule('Path', { source: ['invoice-service'] }, 'WantsDetail', { inputPath: '$.detail' }),
        rule('Constant', { source: ['invoice-service'] }, 'WantsConstant', { input: '{"fixed":true}' }),
      ],
      runtime,
    );
    await client.send(new PutEventsCommand({ Entries: [entry('x', { a: 1 })] }));
    await bus!.drain();
    expect(calls.find((c) => c.fn === 'WantsDetail')?.event).toEqual({ a: 1 });
    expect(calls.find((c) => c.fn === 'WantsConstant')?.event).toEqual({ fixed: true });
  });

  it('injects an AWS service’s event (an SES bounce) on the default bus', async () => {
    const { runtime, calls } = fakeLambda();
    await start(
      [rule('Bounces', { source: ['aws.ses'], 'detail-type': ['Email Bounced'] }, 'OnBounce', {}, 'default')],
      runtime,
    );
    const response = await fetch(`${bus!.url}/inject`, {
      method: 'POST',
      body: JSON.stringify({
        Source: 'aws.ses',
        DetailType: 'Email Bounced',
        Detail: '{"eventType":"Bounce"}',
      }),
    });
    expect(response.status).toBe(200);
    await bus!.drain();
    expect(calls.map((c) => [c.fn, c.event.detail])).toEqual([['OnBounce', { eventType: 'Bounce' }]]);
  });
});

describe('EventBridge event patterns (the local rules’ matching)', () => {
  const event = {
    source: 'invoice-service',
    'detail-type': 'invoice.issued',
    detail: { accountId: 'acct_1', data: { amount: 10600, medium: 'paper', tags: ['a', 'b'] } },
  };
  it.each([
    [{ source: ['invoice-service'] }, true],
    [{ source: ['other', 'invoice-service'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': [{ prefix: 'invoice.' }] }, true],
    [{ 'detail-type': [{ prefix: 'application.' }] }, false],
    [{ 'detail-type': [{ 'anything-but': ['invoice.issued'] }] }, false],
    [{ 'detail-type': [{ 'anything-but': { prefix: 'application.' } }] }, true],
    [{ detail: { accountId: [{ exists: true }] } }, true],
    [{ detail: { correlationId: [{ exists: false }] } }, true],
    [{ detail: { accountId: [{ exists: false }] } }, false],
    [{ detail: { data: { amount: [{ numeric: ['>', 10000, '<=', 10600] }] } } }, true],
    [{ detail: { data: { amount: [{ numeric: ['<', 100] }] } } }, false],
    [{ detail: { data: { tags: ['b'] } } }, true],
    [{ detail: { data: { medium: [{ 'equals-ignore-case': 'PAPER' }] } } }, true],
    [{ source: ['invoice-service'], detail: { data: { medium: ['electronic'] } } }, false],
  ])('%j matches: %s', (pattern, expected) => {
    expect(matchesPattern(pattern as Record<string, unknown>, event)).toBe(expected);
  });
});

describe('readTemplate: event buses and rules', () => {
  it('reads custom buses by name and rules with Lambda targets, patterns and retry policies', () => {
    const fixtureDir = fileURLToPath(new URL('../fixtures/template', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'local-template-events-'));
    cpSync(fixtureDir, dir, { recursive: true });
    const file = join(dir, 'InvoiceService.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    template.Resources.Bus1 = { Type: 'AWS::Events::EventBus', Properties: { Name: 'invoice-service-dev' } };
    template.Resources.Rule1 = {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'Bus1' },
        EventPattern: { source: ['invoice-service'] },
        State: 'ENABLED',
        Targets: [
          {
            Arn: { 'Fn::GetAtt': ['ApplyFn8AB6717B', 'Arn'] },
            Id: 'Target0',
            RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 600 },
          },
          { Arn: 'arn:aws:sqs:us-east-1:000000000000:elsewhere', Id: 'Queue' },
        ],
      },
    };
    template.Resources.Rule2 = {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: { source: ['aws.ses'] },
        Targets: [{ Arn: { 'Fn::GetAtt': ['ReviewFnC10C28CC', 'Arn'] }, Id: 'T', InputPath: '$.detail' }],
      },
    };
    template.Resources.OnlyQueue = {
      Type: 'AWS::Events::Rule',
      Properties: { EventPattern: { source: ['x'] }, Targets: [{ Arn: 'arn:aws:sqs:::q', Id: 'Q' }] },
    };
    writeFileSync(file, JSON.stringify(template));
    const read = readTemplate(dir);
    expect(read.eventBuses).toEqual(['invoice-service-dev']);
    expect(read.eventRules).toEqual([
      {
        logicalId: 'Rule1',
        busName: 'invoice-service-dev',
        pattern: { source: ['invoice-service'] },
        enabled: true,
        targets: [
          {
            id: 'Target0',
            functionLogicalId: 'ApplyFn8AB6717B',
            maximumRetryAttempts: 5,
            maximumEventAgeSeconds: 600,
          },
        ],
      },
      {
        logicalId: 'Rule2',
        busName: 'default',
        pattern: { source: ['aws.ses'] },
        enabled: true,
        targets: [
          {
            id: 'T',
            functionLogicalId: 'ReviewFnC10C28CC',
            inputPath: '$.detail',
            maximumRetryAttempts: 185,
            maximumEventAgeSeconds: 86_400,
          },
        ],
      },
    ]);
  });
});
