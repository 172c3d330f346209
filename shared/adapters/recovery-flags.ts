import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, queryAll, tableName } from '#adapters/dynamodb';

/** Written before failure handling starts, removed when it is done: what is left is unfinished. */
export async function flagForRecovery(applicationId: string, error: unknown, at: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.recovery(applicationId), applicationId, error, at },
    }),
  );
}

export async function flaggedForRecovery(): Promise<{ applicationId: string; error?: unknown }[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.recoveryPartition },
    ConsistentRead: true,
  });
  return items.map((item) => ({ applicationId: item.applicationId as string, error: item.error }));
}

export async function clearRecoveryFlag(applicationId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.recovery(applicationId) }));
}
