import { readApplicantState } from '#adapters/applicant-state';
import { saveAutoInvoicing } from '#adapters/monthly-repository';
import { assertMayApply } from '#domain/account';
import { NotFoundError, RealNameRequiredError, ValidationError } from '#domain/errors';
import type { AutoInvoicing } from '#domain/monthly';
import type { AutoInvoicingBody, AutoInvoicingView } from '#schemas/monthly';
import { checkDelivery, checkTitle } from '#use-cases/application-plan';

/**
 * PUT /v1/account/auto-invoicing (R31). Turning on checks the title and delivery target as an
 * application would (R1 R3 who applies, R2 R21 the title, R4 R23 the delivery target; the
 * amount is the run's business, so nothing about the ledger is checked here). Turning off
 * keeps nothing: the account leaves the run's index at once.
 */
export async function putAutoInvoicing(
  accountId: string,
  body: AutoInvoicingBody,
  now: Date,
): Promise<AutoInvoicingView> {
  if (!body.enabled) {
    const off: AutoInvoicing = { enabled: false, updatedAt: now.toISOString() };
    await saveAutoInvoicing(accountId, off);
    return { enabled: false };
  }
  if (body.titleId === undefined || body.delivery === undefined) {
    throw new ValidationError('Monthly invoicing needs a title and a delivery target.', [
      ...(body.titleId === undefined ? [{ path: 'body.titleId', message: 'is required when enabled' }] : []),
      ...(body.delivery === undefined
        ? [{ path: 'body.delivery', message: 'is required when enabled' }]
        : []),
    ]);
  }
  const paperAddress = body.delivery.medium === 'paper' ? body.delivery.addressId : undefined;
  const { account, title, addressSaved } = await readApplicantState(accountId, body.titleId, paperAddress);
  if (!account) throw new RealNameRequiredError('This account has no verified profile yet.');
  assertMayApply(account);
  if (!title) throw new NotFoundError(`No invoice title ${body.titleId}.`);
  checkTitle(account, title);
  const delivery = checkDelivery(
    { mode: 'amount', titleId: title.titleId, delivery: body.delivery },
    title,
    addressSaved,
  );
  await saveAutoInvoicing(accountId, {
    enabled: true,
    titleId: title.titleId,
    delivery,
    updatedAt: now.toISOString(),
  });
  return { enabled: true, titleId: title.titleId, delivery };
}
