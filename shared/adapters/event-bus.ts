/**
 * The AWS side of #adapters/event-publisher: markers in the service table (bare DynamoDB client,
 * no document client: this runs in the table-facts consumer, whose bundle stays small) and
 * PutEvents on the bus named by EVENT_BUS_NAME (the bare EventBridge client with only
 * PutEventsCommand).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CLAIM_LEASE_MS,
  type ClaimResult,
  MARKER_TTL_SECONDS,
  type MarkerStore,
  type PublishResult,
  publishOnce,
} from '#adapters/event-publisher';
import { requireEnv } from '#config/env';
import type { AnyDomainEvent } from '#domain/domain-events';
import { EVENT_MARKER_PREFIX } from '#domain/event-facts';

const tableName = requireEnv('TABLE_NAME');
const busName = requireEnv('EVENT_BUS_NAME');
/** The markers' client (exported so tests can watch the requests it sends). */
export const dynamodb = new DynamoDBClient({});
const eventBridge = new EventBridgeClient({});

/** TransactWriteItems takes at most a hundred items. */
const TRANSACTION_LIMIT = 100;

/** The marker of one event id: beside nothing else, in a partition of its own. */
export const markerKey = (eventId: string) => ({
  pk: { S: `${EVENT_MARKER_PREFIX}${eventId}` },
  sk: { S: 'EVENT' },
});

type Marker = Record<string, AttributeValue>;

/** One marker's conditional write: as a transaction item, and as a request of its own. */
type MarkerWrite = (eventId: string) => { item: TransactWriteItem; alone: () => Promise<unknown> };

/** Tries of a plain write that another invocation's transaction on the marker holds up. */
const CONFLICT_TRIES = 5;

/**
 * Each id's write; per id undefined when written, else the marker its condition failed on
 * (empty when none came back). One transaction per hundred ids, side by side. A cancelled
 * transaction wrote nothing: an id whose own condition failed has its outcome (and the marker,
 * when one came back with the reason); the others are written again, in one transaction while
 * each round settles some id, else one by one (a conflict with another invocation's
 * transaction, a throttled item). A plain write held up by another invocation's transaction on
 * the marker is tried again; still held up, it counts as refused on `held` when given, else it
 * throws.
 */
async function writeAll(
  eventIds: string[],
  write: MarkerWrite,
  held?: Marker,
): Promise<(Marker | undefined)[]> {
  if (eventIds.length > TRANSACTION_LIMIT)
    return (
      await Promise.all([
        writeAll(eventIds.slice(0, TRANSACTION_LIMIT), write, held),
        writeAll(eventIds.slice(TRANSACTION_LIMIT), write, held),
      ])
    ).flat();
  const writes = eventIds.map(write);
  if (writes.length < 2)
    return Promise.all(
      writes.map(async ({ alone }) => {
        for (let tried = 1; ; tried++) {
          try {
            await alone();
            return undefined;
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) return error.Item ?? {};
            if (!(error instanceof TransactionConflictException)) throw error;
            if (tried === CONFLICT_TRIES) {
              if (held) return held;
              throw error;
            }
            await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** tried));
          }
        }
      }),
    );
  try {
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: writes.map(({ item }) => item) }));
    return writes.map(() => undefined);
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const found = eventIds.map((_, i) => {
      const reason = error.CancellationReasons?.[i];
      return reason?.Code === 'ConditionalCheckFailed' ? (reason.Item ?? {}) : undefined;
    });
    const rest = eventIds.filter((_, i) => !found[i]);
    const again =
      rest.length < eventIds.length
        ? await writeAll(rest, write, held)
        : (await Promise.all(rest.map((eventId) => writeAll([eventId], write, held)))).flat();
    return found.map((marker) => marker ?? again.shift());
  }
}

export const tableMarkers: MarkerStore = {
  async claimAll(eventIds, token, now) {
    const found = await writeAll(
      eventIds,
      (eventId) => {
        const Put = {
          TableName: tableName,
          Item: {
            ...markerKey(eventId),
            state: { S: 'pending' },
            token: { S: token },
            until: { N: String(now + CLAIM_LEASE_MS) },
            expiresAt: { N: String(Math.floor(now / 1000) + MARKER_TTL_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND #until < :now)',
          ExpressionAttributeNames: { '#state': 'state', '#until': 'until' },
          ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        };
        return { item: { Put }, alone: () => dynamodb.send(new PutItemCommand(Put)) };
        // Another invocation's transaction keeps writing the marker: it is being published.
      },
      {},
    );
    // A condition failed on a marker: published before, or claimed by a live invocation.
    return found.map(
      (marker): ClaimResult =>
        marker === undefined ? 'claimed' : marker.state?.S === 'published' ? 'published' : 'busy',
    );
  },
  // A condition that failed: taken over after our lease ran out, the other invocation's counts.
  async markAllPublished(eventIds, token) {
    await writeAll(eventIds, (eventId) => {
      const Update = {
        TableName: tableName,
        Key: markerKey(eventId),
        UpdateExpression: 'SET #state = :published REMOVE #until',
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#state': 'state', '#until': 'until', '#token': 'token' },
        ExpressionAttributeValues: { ':published': { S: 'published' }, ':token': { S: token } },
      };
      return { item: { Update }, alone: () => dynamodb.send(new UpdateItemCommand(Update)) };
    });
  },
  async releaseAll(eventIds, token) {
    await writeAll(eventIds, (eventId) => {
      const Delete = {
        TableName: tableName,
        Key: markerKey(eventId),
        ConditionExpression: '#token = :token AND #state = :pending',
        ExpressionAttributeNames: { '#token': 'token', '#state': 'state' },
        ExpressionAttributeValues: { ':token': { S: token }, ':pending': { S: 'pending' } },
      };
      return { item: { Delete }, alone: () => dynamodb.send(new DeleteItemCommand(Delete)) };
    });
  },
};

/** Publishes the events not published before; throws (so the batch is retried) when any is left. */
export function publishEvents(events: AnyDomainEvent[]): Promise<PublishResult> {
  return publishOnce(events, {
    markers: tableMarkers,
    busName,
    put: async (entries) => {
      const result = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
      const answers = result.Entries ?? [];
      // A missing answer counts as refused: the entry is put again rather than lost.
      return entries.map((_, i) => {
        const answer = answers[i];
        if (!answer) return 'no answer';
        return answer.ErrorCode ? `${answer.ErrorCode}: ${answer.ErrorMessage ?? ''}` : undefined;
      });
    },
  });
}
