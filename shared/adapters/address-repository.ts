import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { type IdempotentRequest, rememberResponse, type StoredResponse } from '#adapters/idempotency';
import type { Address, AddressPlan } from '#domain/address';

export interface AddressBook {
  /** Bumped by every change; 0 before the first address. */
  version: number;
  addresses: Address[];
}

/** One saved address, e.g. to ship a paper invoice to (R4). */
export async function getAddress(accountId: string, addressId: string): Promise<Address | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.address(accountId, addressId), ConsistentRead: true }),
  );
  return Item ? stripKeys<Address>(Item) : undefined;
}

/** The whole book (≤ 20 addresses) and its version, in one strongly consistent query. */
export async function readAddressBook(accountId: string): Promise<AddressBook> {
  const book: AddressBook = { version: 0, addresses: [] };
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.account(accountId).pk,
      ':prefix': keys.addressBookPrefix,
    },
    ConsistentRead: true,
  })) {
    if (item.sk === keys.addressBook(accountId).sk) book.version = Number(item.version);
    else book.addresses.push(stripKeys<Address>(item));
  }
  return book;
}

/**
 * Writes a plan in one transaction that also moves the book's version on from the one the
 * plan was made from: two concurrent changes cannot both win, so there is never more than one
 * default or more than 20 addresses. A lost race is a ConflictError; re-read and re-plan.
 */
export async function applyAddressPlan(
  accountId: string,
  seenVersion: number,
  plan: AddressPlan,
  idempotency?: { request: IdempotentRequest; response: StoredResponse; now: Date },
): Promise<void> {
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: keys.addressBook(accountId),
        UpdateExpression: 'SET version = :next',
        ConditionExpression: seenVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :seen',
        ExpressionAttributeValues: {
          ':next': seenVersion + 1,
          ...(seenVersion === 0 ? {} : { ':seen': seenVersion }),
        },
      },
    },
    ...plan.put.map(
      (address): TransactItem => ({
        Put: { TableName: tableName, Item: { ...keys.address(accountId, address.addressId), ...address } },
      }),
    ),
    ...plan.remove.map(
      (addressId): TransactItem => ({
        Delete: { TableName: tableName, Key: keys.address(accountId, addressId) },
      }),
    ),
  ];
  if (idempotency) items.push(rememberResponse(idempotency.request, idempotency.response, idempotency.now));
  await transact(items);
}
