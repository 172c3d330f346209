import { keys, queryAll, stripKeys } from '#adapters/dynamodb';
import type { Account } from '#domain/account';
import type { BillingRecord } from '#domain/billing-record';
import type { Title } from '#domain/title';

/** What an application is checked and allocated against, read at once. */
export interface ApplicantState {
  account?: Account;
  title?: Title;
  /** Whether the paper delivery's address is saved in the account (R4); false when none was asked. */
  addressSaved: boolean;
  records: BillingRecord[];
}

/**
 * The account's profile, the chosen title, the delivery address and every billing record
 * share the account's partition: one strongly consistent query reads them all (instead of a
 * request each), which is what an application costs the table before it writes. The items
 * are decoded as their own repositories decode them (keys stripped; a profile without a
 * region is not an account yet).
 */
export async function readApplicantState(
  accountId: string,
  titleId: string,
  addressId?: string,
): Promise<ApplicantState> {
  const profileKey = keys.account(accountId);
  const titleSk = keys.title(accountId, titleId).sk;
  const addressSk = addressId === undefined ? undefined : keys.address(accountId, addressId).sk;
  const state: ApplicantState = { addressSaved: false, records: [] };
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': profileKey.pk },
    ConsistentRead: true,
  })) {
    const sk = item.sk as string;
    if (sk.startsWith(keys.recordPrefix)) state.records.push(stripKeys<BillingRecord>(item));
    else if (sk === profileKey.sk)
      state.account = item.region === undefined ? undefined : stripKeys<Account>(item);
    else if (sk === titleSk) state.title = stripKeys<Title>(item);
    else if (sk === addressSk) state.addressSaved = true;
  }
  return state;
}
