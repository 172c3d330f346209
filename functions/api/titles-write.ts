import { api, json } from '#http/handler';
import { TITLES_WRITE } from '#http/routes/titles';
import { createAddress, deleteAddress, updateAddress } from '#use-cases/addresses';
import { createTitle, deleteTitle, updateTitle } from '#use-cases/titles';

export const handler = api(TITLES_WRITE, {
  createTitle: async ({ accountId, body, headers, now }) => {
    const result = await createTitle(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
  updateTitle: async ({ accountId, path, body, now }) =>
    json(200, await updateTitle(accountId, path.titleId, body, now)),
  deleteTitle: async ({ accountId, path }) => {
    await deleteTitle(accountId, path.titleId);
    return json(204, undefined);
  },
  createAddress: async ({ accountId, body, headers, now }) => {
    const result = await createAddress(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
  updateAddress: async ({ accountId, path, body, now }) =>
    json(200, await updateAddress(accountId, path.addressId, body, now)),
  deleteAddress: async ({ accountId, path, now }) => {
    await deleteAddress(accountId, path.addressId, now);
    return json(204, undefined);
  },
});
