/**
 * Domain events (issue 14) on an in-memory local stack running the synthesized template: writes
 * BENCH_EVENTS_APPLICATIONS (1,000) application items straight to the table, each stored as
 * submitted and then cancelled (two facts, two events), and prints the events/s from the first
 * write until every event is on the local bus, through the real path (stream poller, table-facts
 * consumer, markers, PutEvents). Then checks exactly once: one event per fact, no id twice.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EVENT_SOURCE } from '../shared/domain/domain-events.ts';
import { startQuietStack } from './local-stack.ts';

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
/** Writes in flight at once (DynamoDB Local on a small machine). */
const WRITERS = 16;
/** The consumer's batch size (its event source mapping's). */
const BATCH = 100;

export interface EventsFigures {
  applications: number;
  events: number;
  seconds: number;
  perSecond: number;
  violations: string[];
  /** The table-facts consumer alone, invoked with batches of 100 new applications (as one shard). */
  consumerPerSecond: number;
}

export async function benchEvents(
  count = Number(process.env.BENCH_EVENTS_APPLICATIONS ?? 1_000),
): Promise<EventsFigures> {
  const { stack, stop } = await startQuietStack('invoice-bench-events-', { POWERTOOLS_LOG_LEVEL: 'ERROR' });
  try {
    const tableName = stack.template.tables[0]!.tableName;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...LOCAL, endpoint: stack.dynamodbEndpoint }),
    );
    const accountId = `bench-events-${Date.now()}`;
    const ours = () =>
      stack.events
        .store()
        .events.filter(
          (e) =>
            e.event.source === EVENT_SOURCE &&
            (e.event.detail as { accountId?: string }).accountId === accountId,
        );
    const now = new Date().toISOString();
    const write = async (i: number) => {
      const key = { pk: `APPLICATION#${accountId}-${i}`, sk: 'APPLICATION' };
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...key,
            applicationId: `${accountId}-${i}`,
            accountId,
            status: 'submitted',
            mode: 'amount',
            total: 10_600,
            invoices: [{ invoiceId: `${accountId}-${i}-inv` }],
            delivery: { medium: 'electronic', email: 'bench@example.com' },
            submittedAt: now,
            timeline: [{ at: now, status: 'submitted' }],
          },
        }),
      );
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #status = :cancelled, timeline = list_append(timeline, :entry)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':entry': [{ at: now, status: 'cancelled' }],
          },
        }),
      );
    };
    /** Invokes the consumer with stream batches of new applications; events/s of its own. */
    const consumerAlone = async () => {
      const consumer = stack.template.functions.find((f) => f.logicalId.startsWith('OperationsTableFacts'))!;
      const batches = Math.max(1, Math.round(count / BATCH));
      const begun = performance.now();
      for (let b = 0; b < batches; b++) {
        const Records = Array.from({ length: BATCH }, (_, i) => {
          const id = `${accountId}-direct-${b}-${i}`;
          const item = {
            pk: `APPLICATION#${id}`,
            sk: 'APPLICATION',
            applicationId: id,
            accountId: `${accountId}-direct`,
            status: 'submitted',
            mode: 'amount',
            total: 10_600,
            invoices: [{ invoiceId: `${id}-inv` }],
            delivery: { medium: 'electronic', email: 'bench@example.com' },
            submittedAt: now,
          };
          return {
            eventID: `${b}-${i}`,
            eventName: 'INSERT',
            eventSource: 'aws:dynamodb',
            dynamodb: {
              Keys: marshall({ pk: item.pk, sk: item.sk }),
              NewImage: marshall(item),
              ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
              SequenceNumber: String(b * BATCH + i),
              StreamViewType: 'NEW_AND_OLD_IMAGES',
            },
          };
        });
        await stack.lambda.invoke(consumer.logicalId, { Records });
      }
      return (batches * BATCH) / ((performance.now() - begun) / 1000);
    };
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < count) await write(next++);
      }),
    );
    const written = performance.now();
    const expected = count * 2;
    // The consumer puts the events before its invocation ends: drained stream, events on the bus.
    await stack.streams.drain(600_000);
    const seconds = (performance.now() - started) / 1000;
    const events = ours();
    const ids = new Set(events.map((e) => (e.event.detail as { id: string }).id));
    const violations: string[] = [];
    if (events.length !== expected) violations.push(`${events.length} events for ${expected} facts`);
    if (ids.size !== events.length) violations.push(`${events.length - ids.size} event ids put twice`);
    const consumerPerSecond = await consumerAlone();
    const figures = {
      applications: count,
      events: events.length,
      seconds,
      perSecond: events.length / seconds,
      violations,
      consumerPerSecond,
    };
    console.log(
      `Domain events: ${count} applications submitted and cancelled → ${events.length} events on the bus in ` +
        `${seconds.toFixed(1)} s = ${figures.perSecond.toFixed(0)} events/s (stream → table-facts → markers → PutEvents; ` +
        `the writes themselves took ${((written - started) / 1000).toFixed(1)} s); ` +
        (violations.length
          ? `VIOLATIONS: ${violations.join('; ')}`
          : 'exactly once: one event per fact, no id twice'),
    );
    console.log(
      `Domain events: the table-facts consumer alone publishes ${consumerPerSecond.toFixed(0)} events/s ` +
        `(batches of ${BATCH} stream records one after another, as on one shard: markers claimed and marked a batch at a time, PutEvents by ten)`,
    );
    if (violations.length) process.exitCode = 1;
    return figures;
  } finally {
    await stop();
  }
}
