/**
 * The AWS side of #adapters/event-publisher: markers in the service table (bare DynamoDB client,
 * no document client: this runs in the table-facts consumer, whose bundle stays small) and
 * PutEvents on the bus named by EVENT_BUS_NAME (the bare EventBridge client with only
 * PutEventsCommand).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
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
const dynamodb = new DynamoDBClient({});
const eventBridge = new EventBridgeClient({});

/** The marker of one event id: beside nothing else, in a partition of its own. */
export const markerKey = (eventId: string) => ({
  pk: { S: `${EVENT_MARKER_PREFIX}${eventId}` },
  sk: { S: 'EVENT' },
});

export const tableMarkers: MarkerStore = {
  async claim(eventId, token, now): Promise<ClaimResult> {
    try {
      await dynamodb.send(
        new PutItemCommand({
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
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return error.Item?.state?.S === 'published' ? 'published' : 'busy';
    }
  },
  async markPublished(eventId, token) {
    await dynamodb
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: markerKey(eventId),
          UpdateExpression: 'SET #state = :published REMOVE #until',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#state': 'state', '#until': 'until', '#token': 'token' },
          ExpressionAttributeValues: { ':published': { S: 'published' }, ':token': { S: token } },
        }),
      )
      // Taken over after our lease ran out: the other invocation's mark counts.
      .catch((error) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  },
  async release(eventId, token) {
    await dynamodb
      .send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: markerKey(eventId),
          ConditionExpression: '#token = :token AND #state = :pending',
          ExpressionAttributeNames: { '#token': 'token', '#state': 'state' },
          ExpressionAttributeValues: { ':token': { S: token }, ':pending': { S: 'pending' } },
        }),
      )
      .catch((error) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
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
