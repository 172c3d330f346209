import { getPaperStockNotice, putPaperStockNotice } from '#adapters/paper-stock-notice';
import type { Delivery } from '#domain/application';
import type { PaperStockNoticeBody } from '#schemas/invoices';
import { type PaperStockNoticeView, paperStockNoticeView } from '#use-cases/views';

/** R36: the notice in force, as customers see it. */
export async function currentPaperStockNotice(): Promise<PaperStockNoticeView | undefined> {
  const notice = await getPaperStockNotice();
  return notice ? paperStockNoticeView(notice) : undefined;
}

/**
 * R36 for the application view: paper applications show the notice in force (field
 * `paperStockNotice`); electronic ones are unaffected and cost no read.
 */
export async function withPaperStockNotice<V extends { delivery: Pick<Delivery, 'medium'> }>(
  view: V,
): Promise<V & { paperStockNotice?: PaperStockNoticeView }> {
  if (view.delivery.medium !== 'paper') return view;
  const notice = await currentPaperStockNotice();
  return notice ? { ...view, paperStockNotice: notice } : view;
}

/** R36: finance posts a notice with the expected mailing date, or clears it with `{}`. */
export async function setPaperStockNotice(body: PaperStockNoticeBody, now: Date) {
  if (body.message === undefined || body.expectedMailingDate === undefined) {
    await putPaperStockNotice(undefined);
    return {};
  }
  const notice = {
    message: body.message,
    expectedMailingDate: body.expectedMailingDate,
    updatedAt: now.toISOString(),
  };
  await putPaperStockNotice(notice);
  return { notice: paperStockNoticeView(notice) };
}
