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

/** The items read beside the account's profile: the title and the address, those asked for. */
export function applicantKeys(accountId: string, titleId?: string, addressId?: string) {
  return [
    ...(titleId === undefined ? [] : [keys.title(accountId, titleId)]),
    ...(addressId === undefined ? [] : [keys.address(accountId, addressId)]),
  ];
}

/**
 * The applicant's state from the items read (by sort key), decoded as their own repositories
 * decode them: keys stripped; a profile without a region is not an account yet.
 */
export function applicantStateOf(
  items: Map<string, Record<string, unknown>>,
  accountId: string,
  titleId?: string,
  addressId?: string,
): ApplicantState {
  const profile = items.get(keys.account(accountId).sk);
  const title = titleId === undefined ? undefined : items.get(keys.title(accountId, titleId).sk);
  return {
    account: profile?.region === undefined ? undefined : stripKeys<Account>(profile),
    title: title ? stripKeys<Title>(title) : undefined,
    addressSaved: addressId !== undefined && items.has(keys.address(accountId, addressId).sk),
  };
}

/**
 * The account's profile and, when asked for, a title and a delivery address: one strongly
 * consistent batch read by key, never the account's partition (which holds every billing
 * record).
 */
export async function readApplicantState(
  accountId: string,
  titleId?: string,
  addressId?: string,
): Promise<ApplicantState> {
  const items = await readItems([keys.account(accountId), ...applicantKeys(accountId, titleId, addressId)]);
  return applicantStateOf(items, accountId, titleId, addressId);
}
