import { randomUUID } from 'node:crypto';
import { applyAddressPlan, readAddressBook } from '#adapters/address-repository';
import { idempotentRequest, replay } from '#adapters/idempotency';
import { hasOpenApplicationUsing } from '#adapters/open-applications';
import { type Address, type AddressPlan, listOrder, planAdd, planChange, planRemove } from '#domain/address';
import { ConflictError } from '#domain/errors';
import type { AddressBody } from '#schemas/addresses';

/**
 * Every change of an address book is one versioned write, so of n concurrent changes each round
 * lets at least one through: the last of n needs n − 1 retries at worst. Eight covers a burst of
 * nine (a customer's console and scripts); a lost race beyond that answers 409 CONFLICT.
 */
const MAX_CONFLICT_RETRIES = 8;

export function addressView(address: Address) {
  const { accountId: _a, createdAt: _c, updatedAt: _u, ...view } = address;
  return view;
}

export async function listAddresses(accountId: string) {
  const book = await readAddressBook(accountId);
  return { items: listOrder(book.addresses).map(addressView) };
}

/** R22: saves an address; the first is the default, and `isDefault` moves the default to it. */
export async function createAddress(
  accountId: string,
  body: AddressBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ statusCode: number; body: unknown }> {
  const request = idempotentRequest(accountId, idempotencyKey, 'POST /v1/addresses', body);
  const previous = await replay(request);
  if (previous) return previous;
  const addressId = `adr_${randomUUID()}`;
  let response: { statusCode: number; body: unknown } | undefined;
  try {
    await withRetries(async () => {
      const book = await readAddressBook(accountId);
      const plan = planAdd(book.addresses, body, { accountId, addressId }, now);
      response = { statusCode: 201, body: addressView(plan.put[0]!) };
      await applyAddressPlan(accountId, book.version, plan, request && { request, response, now });
    });
  } catch (error) {
    // The same key may have won a concurrent race: answer with its response.
    const raced = error instanceof ConflictError ? await replay(request) : undefined;
    if (raced) return raced;
    throw error;
  }
  return response!;
}

export async function updateAddress(accountId: string, addressId: string, body: AddressBody, now: Date) {
  return withRetries(async () => {
    const book = await readAddressBook(accountId);
    const plan = planChange(book.addresses, addressId, body, now);
    await assertNotInUse(accountId, addressId, 'changed');
    await applyAddressPlan(accountId, book.version, plan);
    return addressView(plan.put[0]!);
  });
}

/** Deleting the default hands the role to the most recently added remaining address. */
export async function deleteAddress(accountId: string, addressId: string, now: Date): Promise<void> {
  await withRetries(async () => {
    const book = await readAddressBook(accountId);
    const plan: AddressPlan = planRemove(book.addresses, addressId, now);
    await assertNotInUse(accountId, addressId, 'deleted');
    await applyAddressPlan(accountId, book.version, plan);
  });
}

/** A paper invoice of an open application is shipped to this address (R27). */
async function assertNotInUse(accountId: string, addressId: string, what: 'changed' | 'deleted') {
  if (await hasOpenApplicationUsing(accountId, { addressId })) {
    throw new ConflictError(
      `The address is used by an application that is still open, so it cannot be ${what} now. ` +
        'Try again once the invoice is delivered, or the application is rejected or cancelled.',
    );
  }
}

/** A concurrent change of the same address book is re-read and re-planned a few times. */
async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const lostRace = error instanceof ConflictError && error.reasons.length > 0;
      if (!lostRace || tries >= MAX_CONFLICT_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (tries + 1)));
    }
  }
}
