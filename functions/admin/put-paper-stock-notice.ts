import { json, route } from '#http/handler';
import { PaperStockNoticeBody } from '#schemas/invoices';
import { setPaperStockNotice } from '#use-cases/paper-stock-notice';

export const handler = route({ access: 'finance', body: PaperStockNoticeBody }, async ({ body, now }) =>
  json(200, await setPaperStockNotice(body, now)),
);
