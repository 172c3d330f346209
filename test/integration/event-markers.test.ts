import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_LEASE_MS } from '#adapters/event-publisher';
import { keyTable, sharedDynamoDb } from '../support/dynamodb-local.ts';

// The table's event markers (#adapters/event-bus) against DynamoDB Local: each step of a batch in
// as few requests as its outcome allows, each marker as its own conditional write would leave it.

const TABLE = 'event-markers';
let markers: typeof import('#adapters/event-bus').tableMarkers;
let documents: DynamoDBDocumentClient;
/** The command names the markers' client sent since the last reset. */
let sent: string[] = [];
/** Answers the next TransactWriteItems in place of the table (a conflict with another invocation). */
let conflictNext = false;
/**
 * Markers (by id) another invocation's transaction holds up: so many plain writes on each are
 * refused, as DynamoDB refuses a write on an item a transaction is writing.
 */
let heldUp = new Map<string, number>();

beforeAll(async () => {
  const endpoint = await sharedDynamoDb([keyTable(TABLE)]);
  // The adapter reads its configuration when first imported, as in a Lambda.
  Object.assign(process.env, {
    TABLE_NAME: TABLE,
    EVENT_BUS_NAME: 'invoice-service-test',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const bus = await import('#adapters/event-bus');
  markers = bus.tableMarkers;
  bus.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      sent.push(name);
      if (name === 'TransactWriteItemsCommand' && conflictNext) {
        conflictNext = false;
        const items = (args.input as { TransactItems: unknown[] }).TransactItems;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          $metadata: {},
          CancellationReasons: items.map(() => ({ Code: 'TransactionConflict' })),
        });
      }
      const input = args.input as { Item?: { pk: { S: string } }; Key?: { pk: { S: string } } };
      const id = (input.Item ?? input.Key)?.pk.S.replace('EVENT#', '');
      const held = id === undefined ? 0 : (heldUp.get(id) ?? 0);
      if (held > 0) {
        heldUp.set(id!, held - 1);
        throw new TransactionConflictException({
          message: 'Transaction is ongoing for the item',
          $metadata: {},
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'countMarkerRequests' },
  );
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}, 60_000);

afterAll(() => {
  documents?.destroy();
});

beforeEach(() => {
  sent = [];
  conflictNext = false;
  heldUp = new Map();
});

let run = 0;
/** Event ids no other test uses. */
const ids = (n: number) => {
  run++;
  return Array.from(
    { length: n },
    (_, i) => `${run.toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`,
  );
};
const key = (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' });
const marker = async (id: string) =>
  (await documents.send(new GetCommand({ TableName: TABLE, Key: key(id), ConsistentRead: true }))).Item;
const putMarker = (id: string, fields: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: TABLE, Item: { ...key(id), ...fields } }));

describe('event markers in the table: a batch per request', () => {
  it('claims a batch of new events in one transaction and marks them published in another', async () => {
    const batch = ids(30);
    const now = Date.now();
    expect(await markers.claimAll(batch, 'mine', now)).toEqual(batch.map(() => 'claimed'));
    expect(sent).toEqual(['TransactWriteItemsCommand']);
    expect(await marker(batch[29]!)).toMatchObject({
      state: 'pending',
      token: 'mine',
      until: now + CLAIM_LEASE_MS,
    });
    await markers.markAllPublished(batch, 'mine');
    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    for (const id of batch) {
      const found = await marker(id);
      expect(found).toMatchObject({ state: 'published', token: 'mine' });
      expect(found?.until).toBeUndefined();
    }
    // Delivered again: every one skipped, and nothing written.
    expect(await markers.claimAll(batch, 'again', Date.now())).toEqual(batch.map(() => 'published'));
    expect((await marker(batch[0]!))?.token).toBe('mine');
  });

  it('a hundred markers per transaction; one event alone is one plain write', async () => {
    const batch = ids(150);
    expect(await markers.claimAll(batch, 'mine', Date.now())).toEqual(batch.map(() => 'claimed'));
    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    sent = [];
    const [single] = ids(1);
    expect(await markers.claimAll([single!], 'mine', Date.now())).toEqual(['claimed']);
    await markers.markAllPublished([single!], 'mine');
    await markers.markAllPublished([], 'mine');
    await markers.releaseAll([], 'mine');
    expect(sent).toEqual(['PutItemCommand', 'UpdateItemCommand']);
  });

  it('one marker published and one busy: those skipped, the others claimed', async () => {
    const batch = ids(10);
    const now = Date.now();
    await putMarker(batch[2]!, { state: 'published', token: 'earlier' });
    await putMarker(batch[5]!, { state: 'pending', token: 'other', until: now + 1000 });
    // A claim whose lease ran out: its invocation is gone, the claim is taken over.
    await putMarker(batch[7]!, { state: 'pending', token: 'gone', until: now - 1 });
    const results = await markers.claimAll(batch, 'mine', now);
    expect(results).toEqual(batch.map((_, i) => (i === 2 ? 'published' : i === 5 ? 'busy' : 'claimed')));
    // The cancelled transaction told which conditions failed; the rest went in one more.
    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await marker(batch[2]!)).toMatchObject({ state: 'published', token: 'earlier' });
    expect(await marker(batch[5]!)).toMatchObject({ state: 'pending', token: 'other' });
    for (const i of [0, 1, 3, 4, 6, 7, 8, 9])
      expect(await marker(batch[i]!)).toMatchObject({ state: 'pending', token: 'mine' });
  });

  it('all of a batch published before: every one skipped after one cancelled transaction', async () => {
    const batch = ids(5);
    for (const id of batch) await putMarker(id, { state: 'published', token: 'earlier' });
    expect(await markers.claimAll(batch, 'mine', Date.now())).toEqual(batch.map(() => 'published'));
    expect(sent).toEqual(['TransactWriteItemsCommand']);
  });

  it('a transaction that conflicts with another invocation falls back to a write per marker', async () => {
    const batch = ids(4);
    await putMarker(batch[1]!, { state: 'published', token: 'earlier' });
    conflictNext = true;
    expect(await markers.claimAll(batch, 'mine', Date.now())).toEqual([
      'claimed',
      'published',
      'claimed',
      'claimed',
    ]);
    expect(sent).toEqual(['TransactWriteItemsCommand', ...batch.map(() => 'PutItemCommand')]);
    sent = [];
    conflictNext = true;
    await markers.markAllPublished([batch[0]!, batch[2]!], 'mine');
    expect(sent).toEqual(['TransactWriteItemsCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(await marker(batch[2]!)).toMatchObject({ state: 'published', token: 'mine' });
    expect(await marker(batch[3]!)).toMatchObject({ state: 'pending', token: 'mine' });
  });

  it('a plain write another transaction holds up is tried again', async () => {
    const batch = ids(3);
    await putMarker(batch[1]!, { state: 'published', token: 'earlier' });
    conflictNext = true;
    heldUp.set(batch[0]!, 2);
    heldUp.set(batch[1]!, 1);
    expect(await markers.claimAll(batch, 'mine', Date.now())).toEqual(['claimed', 'published', 'claimed']);
    expect(sent.filter((name) => name === 'PutItemCommand')).toHaveLength(3 + 2 + 1);
    heldUp.set(batch[2]!, 4);
    await markers.markAllPublished([batch[2]!], 'mine');
    expect(await marker(batch[2]!)).toMatchObject({ state: 'published', token: 'mine' });
  });

  it('held up for good: a claim counts as busy, the others stay claimed; a mark throws', async () => {
    const batch = ids(3);
    conflictNext = true;
    heldUp.set(batch[1]!, Number.POSITIVE_INFINITY);
    expect(await markers.claimAll(batch, 'mine', Date.now())).toEqual(['claimed', 'busy', 'claimed']);
    expect(await marker(batch[1]!)).toBeUndefined();
    heldUp.set(batch[0]!, Number.POSITIVE_INFINITY);
    await expect(markers.markAllPublished([batch[0]!], 'mine')).rejects.toBeInstanceOf(
      TransactionConflictException,
    );
    expect(await marker(batch[0]!)).toMatchObject({ state: 'pending', token: 'mine' });
  });

  it('two invocations claiming the same batch at once: each marker goes to exactly one', async () => {
    const batch = ids(20);
    const now = Date.now();
    const [a, b] = await Promise.all([markers.claimAll(batch, 'a', now), markers.claimAll(batch, 'b', now)]);
    for (let i = 0; i < batch.length; i++) {
      const found = await marker(batch[i]!);
      const winner = found?.token === 'a' ? a : b;
      const loser = found?.token === 'a' ? b : a;
      expect(winner[i]).toBe('claimed');
      expect(loser[i]).toBe('busy');
    }
  });

  it('marks published only its own claims, and releases only its own pending ones', async () => {
    const batch = ids(6);
    const now = Date.now();
    expect(await markers.claimAll(batch, 'mine', now)).toEqual(batch.map(() => 'claimed'));
    // Taken over after our lease ran out: that invocation's claim counts.
    await putMarker(batch[1]!, { state: 'pending', token: 'other', until: now + 1000 });
    await putMarker(batch[4]!, { state: 'published', token: 'other' });
    sent = [];
    await markers.markAllPublished(batch.slice(0, 3), 'mine');
    await markers.releaseAll(batch.slice(3), 'mine');
    // Each a cancelled transaction (the one condition failed) and one of the rest.
    expect(sent).toEqual([
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(await marker(batch[0]!)).toMatchObject({ state: 'published', token: 'mine' });
    expect(await marker(batch[1]!)).toMatchObject({ state: 'pending', token: 'other' });
    expect(await marker(batch[2]!)).toMatchObject({ state: 'published', token: 'mine' });
    expect(await marker(batch[3]!)).toBeUndefined();
    expect(await marker(batch[4]!)).toMatchObject({ state: 'published', token: 'other' });
    expect(await marker(batch[5]!)).toBeUndefined();
    // Released markers are claimed again by the next delivery.
    expect(await markers.claimAll([batch[3]!, batch[5]!], 'next', Date.now())).toEqual([
      'claimed',
      'claimed',
    ]);
  });
});
