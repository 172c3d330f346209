import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#adapters/dynamodb';

/** Kept a while after the workflow stopped waiting (DynamoDB TTL), for late and duplicate callbacks. */
const KEEP_SECONDS = 30 * 86_400;

const waitKey = (invoiceId: string) => ({ pk: `PLATFORM_WAIT#${invoiceId}`, sk: 'WAIT' });

/**
 * The task token an application's workflow waits on, under each invoice id the tax platform
 * has yet to confirm (docs/tax-platform.md): the newest token wins, older ones are spent.
 */
export async function storePlatformWait(
  invoiceIds: readonly string[],
  applicationId: string,
  taskToken: string,
): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + KEEP_SECONDS;
  await Promise.all(
    invoiceIds.map((invoiceId) =>
      documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...waitKey(invoiceId), invoiceId, applicationId, taskToken, expiresAt },
        }),
      ),
    ),
  );
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
