import { json, route } from '#http/handler';
import { AddressIdPath } from '#schemas/addresses';
import { deleteAddress } from '#use-cases/addresses';

export const handler = route(
  { access: 'customer', path: AddressIdPath },
  async ({ accountId, path, now }) => {
    await deleteAddress(accountId, path.addressId, now);
    return json(204, undefined);
  },
);
