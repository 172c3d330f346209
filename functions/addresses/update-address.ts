import { json, route } from '#http/handler';
import { AddressBody, AddressIdPath } from '#schemas/addresses';
import { updateAddress } from '#use-cases/addresses';

export const handler = route(
  { access: 'customer', path: AddressIdPath, body: AddressBody },
  async ({ accountId, path, body, now }) =>
    json(200, await updateAddress(accountId, path.addressId, body, now)),
);
