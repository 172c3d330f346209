/**
 * Issue 14: the account-level suppression list (addresses that bounced hard or complained, no
 * mail goes there until the customer changes the address) and the bounce marks on applications
 * and titles. The mailer checks the list before every customer mail; the mail-feedback function
 * fills it from SES's bounce and complaint events; a title written anew lifts its address.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, tableName } from '#adapters/dynamodb';
import { type AddressBounce, type AddressFeedback, bounceMark, normalAddress } from '#domain/mail-feedback';

export async function isSuppressed(accountId: string, address: string): Promise<boolean> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.suppressedAddress(accountId, normalAddress(address)),
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

export async function suppress(
  accountId: string,
  feedback: AddressFeedback,
  messageId?: string,
): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...keys.suppressedAddress(accountId, feedback.address),
        address: feedback.address,
        reason: feedback.kind,
        type: feedback.type,
        at: feedback.at,
        ...(messageId ? { messageId } : {}),
      },
    }),
  );
}

/** The customer named the address again (a title written anew): mail may go there again. */
export async function liftSuppression(accountId: string, address: string): Promise<void> {
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: keys.suppressedAddress(accountId, normalAddress(address)),
    }),
  );
}

/** Marks the application whose delivery e-mail is the address (compared case-insensitively). */
export async function markApplication(applicationId: string, feedback: AddressFeedback): Promise<boolean> {
  const key = keys.application(applicationId);
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  const stored = (Item?.delivery as { email?: string } | undefined)?.email;
  if (!stored || normalAddress(stored) !== feedback.address) return false;
  return markIf(key, 'deliveryBounce', bounceMark(feedback), '#delivery.#email = :stored', {
    names: { '#delivery': 'delivery', '#email': 'email' },
    values: { ':stored': stored },
  });
}

/** Marks every title of the account whose notifyEmail is the address (unless edited meanwhile). */
export async function markTitles(accountId: string, feedback: AddressFeedback): Promise<number> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.titlePrefix },
      ConsistentRead: true,
    }),
  );
  let marked = 0;
  for (const title of Items) {
    const email = title.notifyEmail as string | undefined;
    if (!email || normalAddress(email) !== feedback.address) continue;
    const ok = await markIf(
      { pk: title.pk as string, sk: title.sk as string },
      'notifyEmailBounce',
      bounceMark(feedback),
      'updatedAt = :seen',
      { values: { ':seen': title.updatedAt } },
    );
    if (ok) marked++;
  }
  return marked;
}

async function markIf(
  key: { pk: string; sk: string },
  field: string,
  mark: AddressBounce,
  condition: string,
  extra: { names?: Record<string, string>; values: Record<string, unknown> },
): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #mark = :mark',
        ConditionExpression: `attribute_exists(pk) AND ${condition}`,
        ExpressionAttributeNames: { '#mark': field, ...extra.names },
        ExpressionAttributeValues: { ':mark': mark, ...extra.values },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
