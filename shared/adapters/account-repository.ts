import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, type TransactItem, tableName } from '#adapters/dynamodb';
import type { Account } from '#domain/account';

/**
 * The account item also carries the ledger's versions, which record batches bump even before
 * the billing system has sent the profile; such an item is not an account yet.
 */
export async function getAccount(accountId: string): Promise<Account | undefined> {
  return (await getAccountState(accountId)).account;
}

export interface AccountState {
  account?: Account;
  ledgerVersion: number;
  recordsVersion: number;
  /** How many of the ledger version's moves were profile upserts (see upsertAccountProfile). */
  profileVersion: number;
}

export async function getAccountState(accountId: string): Promise<AccountState> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.account(accountId), ConsistentRead: true }),
  );
  return accountStateOf(Item);
}

/** The account item (as read some other way) as getAccountState decodes it. */
export function accountStateOf(Item: Record<string, unknown> | undefined): AccountState {
  const item = Item ? stripKeys<Partial<Account>>(Item) : {};
  return {
    account: item.region === undefined ? undefined : (item as Account),
    ledgerVersion: item.ledgerVersion ?? 0,
    recordsVersion: item.recordsVersion ?? 0,
    profileVersion: (item as { profileVersion?: number }).profileVersion ?? 0,
  };
}

export type AccountProfile = Pick<Account, 'region' | 'realName' | 'arrears' | 'orgId' | 'email'> & {
  language?: Account['language'];
};

/**
 * Billing-system upsert: replaces the profile fields (an optional field left out is removed;
 * the language, when left out, stays as it was, Chinese at first), keeps what the service owns.
 * Every upsert moves the ledger version (the arrears are part of the invoiceable amount, R12,
 * and applications reserve under it) and the profile version with it: the invoiceable summary
 * reads the arrears at request time, so profile upserts alone need not make it stale.
 */
export async function upsertAccountProfile(
  accountId: string,
  profile: AccountProfile,
  now: Date,
): Promise<Account> {
  const names: Record<string, string> = { '#region': 'region', '#language': 'language' };
  const values: Record<string, unknown> = {
    ':id': accountId,
    ':region': profile.region,
    ':realName': profile.realName,
    ':arrears': profile.arrears,
    ':now': now.toISOString(),
    ':one': 1,
  };
  const sets = [
    'accountId = :id',
    '#region = :region',
    'realName = :realName',
    'arrears = :arrears',
    'updatedAt = :now',
  ];
  const removes: string[] = [];
  if (profile.language) {
    values[':language'] = profile.language;
    sets.push('#language = :language');
  } else {
    values[':language'] = 'zh';
    sets.push('#language = if_not_exists(#language, :language)');
  }
  for (const field of ['orgId', 'email'] as const) {
    const value = profile[field];
    if (value === undefined) removes.push(field);
    else {
      values[`:${field}`] = value;
      sets.push(`${field} = :${field}`);
    }
  }
  // R32: members are listed under their organization on gsi1 (GET /v1/org/accounts, no scan).
  if (profile.orgId === undefined) removes.push('gsi1pk', 'gsi1sk');
  else {
    values[':members'] = keys.organizationMembers(profile.orgId);
    sets.push('gsi1pk = :members', 'gsi1sk = :id');
  }
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''} ADD ledgerVersion :one, profileVersion :one`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  const account = stripKeys<Account & { orgId?: string | null }>(Attributes!);
  // Items written before optional fields were removed instead of stored as null.
  return { ...account, orgId: account.orgId ?? undefined };
}

/**
 * Moves the ledger version inside a transaction that changes what is invoiceable, so an
 * application computed from the ledger as it was cannot reserve under it any more.
 */
export function bumpLedgerVersion(accountId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: 'ADD ledgerVersion :one',
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/** After a record batch: new records change the invoiceable amount (without lowering it). */
export async function bumpRecordsVersion(accountId: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: 'ADD recordsVersion :one',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
}
