import { api, json } from '#http/handler';
import { TITLES_READ } from '#http/routes/titles';
import { listAddresses } from '#use-cases/addresses';
import { getTitleFor, listTitles } from '#use-cases/titles';

export const handler = api(TITLES_READ, {
  listTitles: async ({ accountId, query }) => json(200, await listTitles(accountId, query)),
  getTitle: async ({ accountId, path }) => json(200, await getTitleFor(accountId, path.titleId)),
  listAddresses: async ({ accountId }) => json(200, await listAddresses(accountId)),
});
