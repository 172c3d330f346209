import * as z from 'zod';
import { DeliveryInput } from '#schemas/applications';
import { Id, Instant, SignedFen, TaxRate } from '#schemas/common';
import { ReturnView } from '#schemas/returns';
import { TitleType } from '#schemas/titles';

export const InvoiceIdPath = z.object({ invoiceId: Id });

const ChinaDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD')
  .meta({ description: 'A calendar date in China time (Asia/Shanghai)' });

export const Courier = z.enum(['SF', 'YUNDA', 'PICKUP']).meta({
  description: 'SF Express (cash on delivery, postage paid by the provider), Yunda, or picked up',
});

export const PaperStockNoticeView = z
  .object({
    message: z.string(),
    expectedMailingDate: ChinaDate,
    updatedAt: Instant,
  })
  .meta({ id: 'PaperStockNotice', description: 'R36: shown to customers choosing paper invoices' });

export const PaperStockNoticeBody = z
  .object({
    message: z.string().trim().min(1).max(500).optional(),
    expectedMailingDate: ChinaDate.optional(),
  })
  .strict()
  .refine((b) => (b.message === undefined) === (b.expectedMailingDate === undefined), {
    message: 'give both message and expectedMailingDate, or neither to clear the notice',
    path: ['expectedMailingDate'],
  })
  .meta({ id: 'PaperStockNoticeSet' });
export type PaperStockNoticeBody = z.infer<typeof PaperStockNoticeBody>;

export const PaperStockNoticeResult = z
  .object({ notice: PaperStockNoticeView.optional() })
  .meta({ id: 'PaperStockNoticeResult' });

/** R26: the title as frozen into the invoice at issue. */
const FrozenTitle = z.object({
  titleId: Id,
  type: TitleType,
  name: z.string(),
  taxId: z.string().optional(),
  registeredAddress: z.string().optional(),
  registeredPhone: z.string().optional(),
  bankName: z.string().optional(),
  bankAccount: z.string().optional(),
  remark: z.string().optional(),
});

export const ShipmentView = z.object({
  courier: Courier,
  trackingNumber: z.string().optional(),
  shippedAt: Instant,
});

export const InvoiceView = z
  .object({
    invoiceId: Id,
    invoiceNumber: z.string(),
    applicationId: Id,
    kind: z.enum(['blue', 'red']),
    entity: Id,
    taxRate: TaxRate,
    amount: SignedFen.meta({ description: 'Negative on red-letter invoices' }),
    amountExcludingTax: SignedFen,
    taxAmount: SignedFen,
    status: z.enum(['issued', 'shipped', 'delivered', 'returning', 'returned', 'credited']).meta({
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
    shipment: ShipmentView.optional(),
    deliveredAt: Instant.optional().meta({ description: 'When the customer confirmed receipt' }),
    originalInvoiceId: Id.optional().meta({ description: 'Red-letter invoices: the invoice they credit' }),
    originalInvoiceNumber: z.string().optional(),
    certifiedAt: Instant.optional().meta({
      description: 'R34: finance recorded that the buyer certified this special invoice',
    }),
    return: ReturnView.optional().meta({ description: 'R34: the latest return of this invoice' }),
    paperStockNotice: PaperStockNoticeView.optional().meta({
      description: 'R36: for paper invoices not yet shipped, while a paper-stock notice is in force',
    }),
  })
  .meta({ id: 'Invoice' });

export const ListInvoicesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(1024).optional(),
});
export type ListInvoicesQuery = z.infer<typeof ListInvoicesQuery>;

export const InvoiceList = z
  .object({ items: z.array(InvoiceView), nextCursor: z.string().optional() })
  .meta({ id: 'InvoiceList' });

export const ExportQuery = z
  .object({
    from: ChinaDate.optional().meta({ description: 'First China day included (default: 90 days before to)' }),
    to: ChinaDate.optional().meta({ description: 'Last China day included (default: today)' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be after to',
    path: ['from'],
  });
export type ExportQuery = z.infer<typeof ExportQuery>;

export const ShipmentBody = z
  .object({
    courier: Courier,
    trackingNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{6,40}$/, 'letters, digits and - (6 to 40)')
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.courier === 'PICKUP' && body.trackingNumber !== undefined)
      ctx.addIssue({ code: 'custom', path: ['trackingNumber'], message: 'is not used for a pickup' });
    if (body.courier !== 'PICKUP' && body.trackingNumber === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['trackingNumber'],
        message: `is required for courier ${body.courier}`,
      });
  })
  .meta({ id: 'Shipment' });
export type ShipmentBody = z.infer<typeof ShipmentBody>;

export const ApplicationDecisionBody = z
  .object({ approve: z.boolean(), reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .superRefine((body, ctx) => {
    if (!body.approve && body.reason === undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required to reject' });
  })
  .meta({ id: 'ApplicationDecision' });
export type ApplicationDecisionBody = z.infer<typeof ApplicationDecisionBody>;
