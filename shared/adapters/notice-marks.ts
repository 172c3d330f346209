import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#adapters/dynamodb';

type Key = { pk: string; sk: string };

/**
 * A sender holds its claim this long; longer than any function that sends (60 s), so a claim
 * older than this belongs to an invocation that is certainly gone and may be taken over.
 * One window stays open: a sender that dies after SES accepted the message but before the
 * sent mark is written leaves a claim that the next attempt takes over and sends again (SES
 * has no idempotency key). Everything else — retries, duplicates, overlaps — sends once.
 */
export const CLAIM_LEASE_MS = 120_000;

const attribute = (kind: string) => `notice#${kind}`;

/**
 * Claims the right to send one notice of `kind` for the item (application or invoice):
 * 'claimed' (send it now), 'sent' (it went out before) or 'busy' (another invocation is sending).
 */
export async function claimNotice(key: Key, kind: string, now: Date): Promise<'claimed' | 'sent' | 'busy'> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #n = :claim',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(#n) OR (#n.#state = :sending AND #n.#until < :now))',
        ExpressionAttributeNames: { '#n': attribute(kind), '#state': 'state', '#until': 'until' },
        ExpressionAttributeValues: {
          ':claim': { state: 'sending', until: now.getTime() + CLAIM_LEASE_MS },
          ':sending': 'sending',
          ':now': now.getTime(),
        },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  if (!Item) throw new Error(`No item ${key.pk} to mark a notice on`);
  return (Item[attribute(kind)] as { state?: string } | undefined)?.state === 'sent' ? 'sent' : 'busy';
}

/** The notice went out; optional fields (and a timeline entry) are set in the same write. */
export async function completeNotice(
  key: Key,
  kind: string,
  sent: { at: string; messageId: string },
  fields: Record<string, unknown> = {},
  timelineEntry?: unknown,
): Promise<void> {
  const names: Record<string, string> = { '#n': attribute(kind) };
  const values: Record<string, unknown> = { ':sent': { state: 'sent', ...sent } };
  const sets = ['#n = :sent'];
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  if (timelineEntry) {
    values[':entry'] = [timelineEntry];
    sets.push('timeline = list_append(timeline, :entry)');
  }
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Sending failed: let the next attempt claim at once instead of waiting out the lease. */
export async function releaseNotice(key: Key, kind: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'REMOVE #n',
        ConditionExpression: '#n.#state = :sending',
        ExpressionAttributeNames: { '#n': attribute(kind), '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
