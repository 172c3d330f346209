import type { RouteGroup } from '#http/routes/route';
import { AddressBody, AddressIdPath, AddressList, AddressView } from '#schemas/addresses';
import { ListQuery, TitleBody, TitleIdPath, TitleList, TitleView } from '#schemas/titles';

/** The account’s invoice titles (invoice information) and mailing addresses: table reads only. */
export const TITLES_READ = {
  listTitles: {
    method: 'GET',
    path: '/v1/titles',
    uses: ['table-read'],
    summary: 'The account’s invoice titles',
    query: ListQuery,
    ok: { status: 200, schema: TitleList },
    errors: [],
  },
  getTitle: {
    method: 'GET',
    path: '/v1/titles/{titleId}',
    uses: ['table-read'],
    summary: 'One invoice title',
    pathParams: TitleIdPath,
    ok: { status: 200, schema: TitleView },
    errors: ['NOT_FOUND'],
  },
  listAddresses: {
    method: 'GET',
    path: '/v1/addresses',
    uses: ['table-read'],
    summary: 'The account’s mailing addresses (R22), the default first',
    ok: { status: 200, schema: AddressList },
    errors: [],
  },
} satisfies RouteGroup;

/** The account’s invoice titles and mailing addresses, changed. */
export const TITLES_WRITE = {
  createTitle: {
    method: 'POST',
    path: '/v1/titles',
    uses: ['table-write'],
    summary:
      'Add an invoice title: ordinary titles are approved at once, special VAT titles wait for review (R21)',
    body: TitleBody,
    idempotent: true,
    ok: { status: 201, schema: TitleView },
    errors: ['REAL_NAME_REQUIRED', 'TITLE_TYPE_NOT_ALLOWED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  },
  updateTitle: {
    method: 'PUT',
    path: '/v1/titles/{titleId}',
    uses: ['table-write'],
    summary:
      'Replace an invoice title: ordinary edits apply at once, a special title goes back to review (R21); 409 while an open application uses it',
    pathParams: TitleIdPath,
    body: TitleBody,
    ok: { status: 200, schema: TitleView },
    errors: ['NOT_FOUND', 'REAL_NAME_REQUIRED', 'TITLE_TYPE_NOT_ALLOWED', 'CONFLICT'],
  },
  deleteTitle: {
    method: 'DELETE',
    path: '/v1/titles/{titleId}',
    uses: ['table-write'],
    summary: 'Delete an invoice title; 409 while an open application uses it',
    pathParams: TitleIdPath,
    ok: { status: 204 },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  createAddress: {
    method: 'POST',
    path: '/v1/addresses',
    uses: ['table-write'],
    summary: 'Save a mailing address (at most 20); the first one is the default (R22)',
    body: AddressBody,
    idempotent: true,
    ok: { status: 201, schema: AddressView },
    errors: ['IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  },
  updateAddress: {
    method: 'PUT',
    path: '/v1/addresses/{addressId}',
    uses: ['table-write'],
    summary:
      'Replace a mailing address; isDefault: true makes it the default; 409 while an open application ships to it',
    pathParams: AddressIdPath,
    body: AddressBody,
    ok: { status: 200, schema: AddressView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  deleteAddress: {
    method: 'DELETE',
    path: '/v1/addresses/{addressId}',
    uses: ['table-write'],
    summary:
      'Delete a mailing address; deleting the default makes the most recent remaining one default; 409 while an open application ships to it',
    pathParams: AddressIdPath,
    ok: { status: 204 },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
} satisfies RouteGroup;
