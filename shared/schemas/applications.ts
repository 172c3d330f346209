import * as z from 'zod';
import { Email, Fen, Id, Instant, TaxRate } from '#schemas/common';
import { TitleType } from '#schemas/titles';

export const DeliveryInput = z
  .object({
    medium: z.enum(['electronic', 'paper']),
    email: Email.optional(),
    addressId: Id.optional(),
  })
  .strict();

export const CreateApplicationBody = z
  .object({
    mode: z.enum(['orders', 'bills', 'amount']).meta({
      description:
        'R14. `orders`: the records in recordIds, each taken whole (what is left of it after its refunds, ' +
        'adjustments and earlier invoices); a refund or adjustment is selected through its original record and ' +
        'never alone (NEGATIVE_RECORD_ALONE); monthly bills are not taken here. `bills`: whole monthly ' +
        'statements (R15: never split), one or several months. `amount`: the amount is drawn from the ' +
        'invoiceable records oldest payment first (ties by recordId), deterministically: orders are taken ' +
        'whole while the amount lasts and only the last one drawn may be taken in part; a monthly bill is taken ' +
        'whole or skipped (R15); records already reserved or invoiced under another title are left out (R16).',
    }),
    recordIds: z
      .array(Id)
      .min(1)
      .max(5000)
      .optional()
      .meta({ description: 'Modes orders and bills: the records (or monthly bills) to invoice.' }),
    amount: z
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .meta({ description: 'Mode amount: fen to invoice, at most the invoiceable amount.' }),
    titleId: Id.meta({
      description:
        'An approved title (R21). R16: a record reserved or invoiced under one title cannot be invoiced under another.',
    }),
    delivery: DeliveryInput.meta({
      description:
        'R4, R23: electronic needs `email`; paper (special VAT invoices only) needs a saved `addressId`.',
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.mode === 'amount' && body.amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required when mode is amount' });
    }
    if (body.mode !== 'amount' && body.recordIds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordIds'], message: `is required when mode is ${body.mode}` });
    }
    if (body.mode === 'amount' && body.recordIds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordIds'], message: 'is not allowed when mode is amount' });
    }
    if (body.mode !== 'amount' && body.amount !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `is not allowed when mode is ${body.mode}` });
    }
  })
  .meta({ id: 'ApplicationCreate' });
export type CreateApplicationBody = z.infer<typeof CreateApplicationBody>;

export const ApplicationIdPath = z.object({ applicationId: Id });

const InvoiceLineView = z.object({
  itemName: z.string(),
  specification: z.string(),
  total: Fen,
  amountExcludingTax: Fen,
  taxAmount: Fen,
});

export const PlannedInvoiceView = z.object({
  invoiceId: Id,
  invoiceNumber: z.string().optional(),
  entity: Id,
  taxRate: TaxRate,
  amount: Fen,
  amountExcludingTax: Fen,
  taxAmount: Fen,
  lines: z.array(InvoiceLineView),
});

const TitleSnapshotView = z.object({
  titleId: Id,
  type: TitleType,
  name: z.string(),
  taxId: z.string().optional(),
});

export const ApplicationStatus = z.enum([
  'submitted',
  'in-review',
  'issuing',
  'issued',
  'shipped',
  'delivered',
  'rejected',
  'cancelled',
  'failed',
]);

export const ApplicationListQuery = z.object({
  status: ApplicationStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: 'Page size, default 20' }),
  cursor: z.string().min(1).max(512).optional().meta({ description: 'nextCursor of the previous page' }),
});
export type ApplicationListQuery = z.infer<typeof ApplicationListQuery>;

export const ApplicationView = z
  .object({
    applicationId: Id,
    status: ApplicationStatus,
    mode: z.enum(['orders', 'bills', 'amount']),
    total: Fen,
    invoices: z.array(PlannedInvoiceView),
    title: TitleSnapshotView,
    delivery: DeliveryInput,
    submittedAt: Instant,
    cancellableUntil: Instant,
    expectedBy: Instant,
    timeline: z.array(z.object({ at: Instant, status: ApplicationStatus, note: z.string().optional() })),
  })
  .meta({ id: 'Application' });
export type ApplicationView = z.infer<typeof ApplicationView>;

export const ApplicationList = z
  .object({
    items: z.array(ApplicationView).meta({ description: 'Newest first' }),
    nextCursor: z.string().optional(),
    prefill: z.object({ titleId: Id, delivery: DeliveryInput }).optional().meta({
      description: 'R19: the title and delivery target of the last application, to prefill the next',
    }),
  })
  .meta({ id: 'ApplicationList' });
export type ApplicationList = z.infer<typeof ApplicationList>;

export const ApplicationPreview = z
  .object({
    invoices: z.array(PlannedInvoiceView.omit({ invoiceId: true, invoiceNumber: true })).meta({
      description:
        'R17, R18: one invoice per (entity, tax rate), one line per consumption month; tax per line on the ' +
        'tax-inclusive amount, rounded half away from zero to the fen; an invoice’s tax is the sum of its lines’.',
    }),
    total: Fen,
  })
  .meta({ id: 'ApplicationPreview' });
export type ApplicationPreview = z.infer<typeof ApplicationPreview>;
