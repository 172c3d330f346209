import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, tableName } from '#adapters/dynamodb';
import type { Account } from '#domain/account';

export async function getAccount(accountId: string): Promise<Account | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.account(accountId), ConsistentRead: true }),
  );
  return Item ? stripKeys<Account>(Item) : undefined;
}

export type AccountProfile = Pick<Account, 'region' | 'realName' | 'arrears' | 'orgId'> & {
  language?: Account['language'];
};

/** Billing-system upsert: replaces the profile fields, keeps what the service owns. */
export async function upsertAccountProfile(
  accountId: string,
  profile: AccountProfile,
  now: Date,
): Promise<Account> {
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression:
        'SET accountId = :id, #region = :region, realName = :realName, arrears = :arrears, orgId = :orgId, ' +
        '#language = if_not_exists(#language, :language), updatedAt = :now ADD ledgerVersion :one',
      ExpressionAttributeNames: { '#region': 'region', '#language': 'language' },
      ExpressionAttributeValues: {
        ':id': accountId,
        ':region': profile.region,
        ':realName': profile.realName,
        ':arrears': profile.arrears,
        ':orgId': profile.orgId ?? null,
        ':language': profile.language ?? 'zh',
        ':now': now.toISOString(),
        ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const account = stripKeys<Account & { orgId: string | null }>(Attributes!);
  return { ...account, orgId: account.orgId ?? undefined };
}
