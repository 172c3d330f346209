import { api, json } from '#http/handler';
import { ADMIN } from '#http/routes/admin';
import { decideApplication, recordShipment } from '#use-cases/admin-applications';
import { setPaperStockNotice } from '#use-cases/paper-stock-notice';
import { listReviews } from '#use-cases/reviews';
import { confirmTaxPlatformRequest } from '#use-cases/tax-platform-confirmations';
import { decideTitle } from '#use-cases/title-review';

export const handler = api(ADMIN, {
  listReviews: async ({ query }) => json(200, await listReviews(query)),
  decideTitle: async ({ path, body, now }) =>
    json(200, await decideTitle(path.accountId, path.titleId, body, now)),
  decideApplication: async ({ path, body, now }) =>
    json(200, await decideApplication(path.applicationId, body, now)),
  recordShipment: async ({ path, body, now }) => json(200, await recordShipment(path.invoiceId, body, now)),
  putPaperStockNotice: async ({ body, now }) => json(200, await setPaperStockNotice(body, now)),
  confirmTaxPlatformRequest: async ({ body }) => json(202, await confirmTaxPlatformRequest(body.requestId)),
});
