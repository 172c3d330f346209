import { keys, readItems, stripKeys } from '#adapters/dynamodb';
import type { Account } from '#domain/account';
import type { Title } from '#domain/title';

/** Who applies and with what, read at once. */
export interface ApplicantState {
  account?: Account;
  title?: Title;
  /** Whether the paper delivery's address is saved in the account (R4); false when none was asked. */
  addressSaved: boolean;
}

/**
 * The account's profile and, when asked for, a title and a delivery address: one strongly
 * consistent batch read by key, never the account's partition (which holds every billing
 * record). The items are decoded as their own repositories decode them (keys stripped; a
 * profile without a region is not an account yet).
 */
export async function readApplicantState(
  accountId: string,
  titleId?: string,
  addressId?: string,
): Promise<ApplicantState> {
  const profileKey = keys.account(accountId);
  const titleKey = titleId === undefined ? undefined : keys.title(accountId, titleId);
  const addressKey = addressId === undefined ? undefined : keys.address(accountId, addressId);
  const items = await readItems([
    profileKey,
    ...(titleKey ? [titleKey] : []),
    ...(addressKey ? [addressKey] : []),
  ]);
  const profile = items.get(profileKey.sk);
  const title = titleKey && items.get(titleKey.sk);
  return {
    account: profile?.region === undefined ? undefined : stripKeys<Account>(profile),
    title: title ? stripKeys<Title>(title) : undefined,
    addressSaved: addressKey !== undefined && items.has(addressKey.sk),
  };
}
