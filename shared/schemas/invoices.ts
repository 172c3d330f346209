import { DeliveryInput } from '#schemas/applications';
import { Id, Instant, SignedFen, TaxRate } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { ReturnView } from '#schemas/returns';
import { text } from '#schemas/text';
import { TitleType } from '#schemas/titles';
import * as z from '#schemas/zod';

export const InvoiceIdPath = z.object({ invoiceId: Id });

const ChinaDate = z.meta(
  z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD')),
  { description: 'A calendar date in China time (Asia/Shanghai)' },
);

export const Courier = z.meta(z.enum(['SF', 'YUNDA', 'PICKUP']), {
  description: 'SF Express (cash on delivery, postage paid by the provider), Yunda, or picked up',
});

export const PaperStockNoticeView = z.meta(
  z.object({
    message: z.string(),
    expectedMailingDate: ChinaDate,
    updatedAt: Instant,
  }),
  { id: 'PaperStockNotice', description: 'R36: shown to customers choosing paper invoices' },
);

export const PaperStockNoticeBody = z.meta(
  z
    .strictObject({
      message: z.optional(text({ max: 500 })),
      expectedMailingDate: z.optional(ChinaDate),
    })
    .check(
      z.refine((b) => (b.message === undefined) === (b.expectedMailingDate === undefined), {
        message: 'give both message and expectedMailingDate, or neither to clear the notice',
        path: ['expectedMailingDate'],
      }),
    ),
  { id: 'PaperStockNoticeSet' },
);
export type PaperStockNoticeBody = z.infer<typeof PaperStockNoticeBody>;

export const PaperStockNoticeResult = z.meta(z.object({ notice: z.optional(PaperStockNoticeView) }), {
  id: 'PaperStockNoticeResult',
});

/** R26: the title as frozen into the invoice at issue. */
const FrozenTitle = z.object({
  titleId: Id,
  type: TitleType,
  name: z.string(),
  taxId: z.optional(z.string()),
  registeredAddress: z.optional(z.string()),
  registeredPhone: z.optional(z.string()),
  bankName: z.optional(z.string()),
  bankAccount: z.optional(z.string()),
  remark: z.optional(z.string()),
});

export const ShipmentView = z.object({
  courier: Courier,
  trackingNumber: z.optional(z.string()),
  shippedAt: Instant,
});

export const InvoiceView = z.meta(
  z.object({
    invoiceId: Id,
    invoiceNumber: z.string(),
    applicationId: Id,
    kind: z.enum(['blue', 'red']),
    entity: Id,
    taxRate: TaxRate,
    amount: z.meta(SignedFen, { description: 'Negative on red-letter invoices' }),
    amountExcludingTax: SignedFen,
    taxAmount: SignedFen,
    status: z.meta(z.enum(['issued', 'shipped', 'delivered', 'returning', 'returned', 'credited']), {
      description:
        'R34: `returning` while a return is under way, `returned` once a mailed-back paper invoice arrived, `credited` once its red-letter invoice exists',
    }),
    issuedAt: Instant,
    title: FrozenTitle,
    delivery: DeliveryInput,
    lines: z.array(
      z.object({
        itemName: z.string(),
        specification: z.string(),
        total: SignedFen,
        amountExcludingTax: SignedFen,
        taxAmount: SignedFen,
      }),
    ),
    shipment: z.optional(ShipmentView),
    deliveredAt: z.meta(z.optional(Instant), { description: 'When the customer confirmed receipt' }),
    originalInvoiceId: z.meta(z.optional(Id), {
      description: 'Red-letter invoices: the invoice they credit',
    }),
    originalInvoiceNumber: z.optional(z.string()),
    certifiedAt: z.meta(z.optional(Instant), {
      description: 'R34: finance recorded that the buyer certified this special invoice',
    }),
    return: z.meta(z.optional(ReturnView), { description: 'R34: the latest return of this invoice' }),
    paperStockNotice: z.meta(z.optional(PaperStockNoticeView), {
      description: 'R36: for paper invoices not yet shipped, while a paper-stock notice is in force',
    }),
  }),
  { id: 'Invoice' },
);

export const ListInvoicesQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: CursorQueryParam,
});
export type ListInvoicesQuery = z.infer<typeof ListInvoicesQuery>;

export const InvoiceList = z.meta(
  z.object({ items: z.array(InvoiceView), nextCursor: z.optional(z.string()) }),
  {
    id: 'InvoiceList',
  },
);

export const ExportQuery = z
  .object({
    from: z.meta(z.optional(ChinaDate), {
      description: 'First China day included (default: 90 days before to)',
    }),
    to: z.meta(z.optional(ChinaDate), { description: 'Last China day included (default: today)' }),
  })
  .check(
    z.refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
      message: 'must not be after to',
      path: ['from'],
    }),
  );
export type ExportQuery = z.infer<typeof ExportQuery>;

export const ShipmentBody = z.meta(
  z
    .strictObject({
      courier: Courier,
      trackingNumber: z.optional(
        z.string().check(z.trim(), z.regex(/^[A-Za-z0-9-]{6,40}$/, 'letters, digits and - (6 to 40)')),
      ),
    })
    .check(
      z.superRefine((body, ctx) => {
        if (body.courier === 'PICKUP' && body.trackingNumber !== undefined)
          ctx.addIssue({ code: 'custom', path: ['trackingNumber'], message: 'is not used for a pickup' });
        if (body.courier !== 'PICKUP' && body.trackingNumber === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['trackingNumber'],
            message: `is required for courier ${body.courier}`,
          });
      }),
    ),
  { id: 'Shipment' },
);
export type ShipmentBody = z.infer<typeof ShipmentBody>;

export const ApplicationDecisionBody = z.meta(
  z
    .strictObject({
      approve: z.boolean(),
      reason: z.optional(text({ max: 500 })),
    })
    .check(
      z.superRefine((body, ctx) => {
        if (!body.approve && body.reason === undefined)
          ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required to reject' });
      }),
    ),
  { id: 'ApplicationDecision' },
);
export type ApplicationDecisionBody = z.infer<typeof ApplicationDecisionBody>;

/**
 * A tax platform provider's confirmation callback (docs/tax-platform.md): only which request
 * changed; what the platform decided is read back from it, never taken from the callback.
 */
export const TaxPlatformConfirmationBody = z.object({
  requestId: z.meta(Id, { description: 'The invoice id the request was keyed by' }),
});
export const TaxPlatformConfirmationResult = z.object({
  requestId: Id,
  resumed: z.meta(z.boolean(), {
    description:
      'Whether a workflow was waiting and now asks the platform; false for a late or repeated callback',
  }),
});
