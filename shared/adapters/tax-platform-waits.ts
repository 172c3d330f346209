import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#adapters/dynamodb';

/** Kept a while after the workflow stopped waiting (DynamoDB TTL), for late and duplicate callbacks. */
const KEEP_SECONDS = 30 * 86_400;

const waitKey = (invoiceId: string) => ({ pk: `PLATFORM_WAIT#${invoiceId}`, sk: 'WAIT' });

/**
 * The task token an application's workflow waits on, under each invoice id the tax platform
 * has yet to confirm (docs/tax-platform.md): the newest token wins, older ones are spent. Returns
 * when the workflow first waited for any of them (kept across waits).
 */
export async function storePlatformWait(
  invoiceIds: readonly string[],
  applicationId: string,
  taskToken: string,
): Promise<Date> {
  const now = new Date();
  const expiresAt = Math.floor(now.getTime() / 1000) + KEEP_SECONDS;
  const since = await Promise.all(
    invoiceIds.map(async (invoiceId) => {
      const { Attributes } = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: waitKey(invoiceId),
          UpdateExpression:
            'SET invoiceId = :id, applicationId = :app, taskToken = :token, expiresAt = :exp, waitingSince = if_not_exists(waitingSince, :now)',
          ExpressionAttributeValues: {
            ':id': invoiceId,
            ':app': applicationId,
            ':token': taskToken,
            ':exp': expiresAt,
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return String(Attributes?.waitingSince ?? now.toISOString());
    }),
  );
  return new Date(since.sort()[0] ?? now.toISOString());
}

/** The wait for this invoice id, if a workflow ever waited for it. */
export async function platformWaitOf(
  invoiceId: string,
): Promise<{ applicationId: string; taskToken: string } | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: waitKey(invoiceId), ConsistentRead: true }),
  );
  return Item ? { applicationId: Item.applicationId, taskToken: Item.taskToken } : undefined;
}
