import { NotFoundError, ValidationError } from '#domain/errors';

/** A mailing address for paper invoices (R4, R22). */
export interface AddressFields {
  recipient: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  street: string;
  postalCode: string;
}

export interface Address extends AddressFields {
  accountId: string;
  addressId: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

/** R22: an account keeps at most this many addresses. */
export const MAX_ADDRESSES = 20;

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;
const POSTAL_CODE = /^\d{6}$/;

/** A mainland mobile number (1[3-9] and nine digits) or landline (0, area code, optional "-", 7–8 digits). */
export function isValidMainlandPhone(value: string): boolean {
  return MOBILE.test(value) || LANDLINE.test(value);
}

export function isValidPostalCode(value: string): boolean {
  return POSTAL_CODE.test(value);
}

/**
 * What one change does to the address book: the addresses to write whole and the ids to
 * delete. Exactly one address is the default whenever the book is not empty.
 */
export interface AddressPlan {
  put: Address[];
  remove: string[];
}

/**
 * Adding an address: the first one is the default; `isDefault: true` moves the default to the
 * new one (the old default is written back unset in the same change).
 */
export function planAdd(
  book: readonly Address[],
  input: AddressFields & { isDefault?: boolean },
  ids: { accountId: string; addressId: string },
  now: Date,
): AddressPlan {
  if (book.length >= MAX_ADDRESSES) {
    throw new ValidationError(`At most ${MAX_ADDRESSES} addresses can be saved; delete one first.`, [
      { path: 'body', message: `at most ${MAX_ADDRESSES} addresses per account` },
    ]);
  }
  const { isDefault: wanted, ...fields } = input;
  const isDefault = book.length === 0 || wanted === true;
  const at = now.toISOString();
  const added: Address = { ...fields, ...ids, isDefault, createdAt: at, updatedAt: at };
  return { put: [added, ...(isDefault ? unsetDefaults(book, at) : [])], remove: [] };
}

/**
 * Changing an address replaces its fields. `isDefault: true` makes it the default; leaving it
 * out keeps its role; `false` on the default is refused, because the account would be left
 * without one: the default moves only by marking another address as default.
 */
export function planChange(
  book: readonly Address[],
  addressId: string,
  input: AddressFields & { isDefault?: boolean },
  now: Date,
): AddressPlan {
  const existing = find(book, addressId);
  const { isDefault: wanted, ...fields } = input;
  if (wanted === false && existing.isDefault) {
    throw new ValidationError('The default address stays the default until another one is made default.', [
      { path: 'body.isDefault', message: 'mark another address as default instead' },
    ]);
  }
  const at = now.toISOString();
  const isDefault = existing.isDefault || wanted === true;
  const changed: Address = { ...existing, ...fields, isDefault, updatedAt: at };
  const others = book.filter((a) => a.addressId !== addressId);
  return { put: [changed, ...(isDefault ? unsetDefaults(others, at) : [])], remove: [] };
}

/** Deleting the default makes the most recently added remaining address the default. */
export function planRemove(book: readonly Address[], addressId: string, now: Date): AddressPlan {
  const existing = find(book, addressId);
  const rest = book.filter((a) => a.addressId !== addressId);
  if (!existing.isDefault || rest.length === 0 || rest.some((a) => a.isDefault)) {
    return { put: [], remove: [addressId] };
  }
  const successor = newestFirst(rest)[0]!;
  return {
    put: [{ ...successor, isDefault: true, updatedAt: now.toISOString() }],
    remove: [addressId],
  };
}

/** Most recently added first; ties (same millisecond) by id, so the order is stable. */
export function newestFirst(book: readonly Address[]): Address[] {
  return [...book].sort((a, b) => {
    if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
    return a.addressId < b.addressId ? 1 : a.addressId > b.addressId ? -1 : 0;
  });
}

/** The order of GET /v1/addresses: the default first, then the newest. */
export function listOrder(book: readonly Address[]): Address[] {
  const sorted = newestFirst(book);
  return [...sorted.filter((a) => a.isDefault), ...sorted.filter((a) => !a.isDefault)];
}

function find(book: readonly Address[], addressId: string): Address {
  const found = book.find((a) => a.addressId === addressId);
  if (!found) throw new NotFoundError(`No address ${addressId}.`);
  return found;
}

function unsetDefaults(book: readonly Address[], at: string): Address[] {
  return book.filter((a) => a.isDefault).map((a) => ({ ...a, isDefault: false, updatedAt: at }));
}
