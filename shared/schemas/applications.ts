import { AddressBounceView, Email, Fen, Id, Instant, TaxRate } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { TitleType } from '#schemas/titles';
import * as z from '#schemas/zod';

export const DeliveryInput = z.strictObject({
  medium: z.enum(['electronic', 'paper']),
  email: z.optional(Email),
  addressId: z.optional(Id),
});

export const CreateApplicationBody = z.meta(
  z
    .strictObject({
      mode: z.meta(z.enum(['orders', 'bills', 'amount']), {
        description:
          'R14. `orders`: the records in recordIds, each taken whole (what is left of it after its refunds, ' +
          'adjustments and earlier invoices); a refund or adjustment is selected through its original record and ' +
          'never alone (NEGATIVE_RECORD_ALONE); monthly bills are not taken here. `bills`: whole monthly ' +
          'statements (R15: never split), one or several months. `amount`: the amount is drawn from the ' +
          'invoiceable records oldest payment first (ties by recordId), deterministically: orders are taken ' +
          'whole while the amount lasts and only the last one drawn may be taken in part; a monthly bill is taken ' +
          'whole or skipped (R15); records already reserved or invoiced under another title are left out (R16).',
      }),
      recordIds: z.meta(z.optional(z.array(Id).check(z.minLength(1), z.maxLength(5000))), {
        description: 'Modes orders and bills: the records (or monthly bills) to invoice.',
      }),
      amount: z.meta(z.optional(z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER))), {
        description: 'Mode amount: fen to invoice, at most the invoiceable amount.',
      }),
      titleId: z.meta(Id, {
        description:
          'An approved title (R21). R16: a record reserved or invoiced under one title cannot be invoiced under another.',
      }),
      delivery: z.meta(DeliveryInput, {
        description:
          'R4, R23: electronic needs `email`; paper (special VAT invoices only) needs a saved `addressId`.',
      }),
    })
    .check(
      z.superRefine((body, ctx) => {
        if (body.mode === 'amount' && body.amount === undefined) {
          ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required when mode is amount' });
        }
        if (body.mode !== 'amount' && body.recordIds === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['recordIds'],
            message: `is required when mode is ${body.mode}`,
          });
        }
        if (body.mode === 'amount' && body.recordIds !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['recordIds'],
            message: 'is not allowed when mode is amount',
          });
        }
        if (body.mode !== 'amount' && body.amount !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['amount'],
            message: `is not allowed when mode is ${body.mode}`,
          });
        }
      }),
    ),
  { id: 'ApplicationCreate' },
);
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
  invoiceNumber: z.optional(z.string()),
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
  taxId: z.optional(z.string()),
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
  status: z.optional(ApplicationStatus),
  limit: z.meta(z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))), {
    description: 'Page size, default 20',
  }),
  cursor: CursorQueryParam,
});
export type ApplicationListQuery = z.infer<typeof ApplicationListQuery>;

export const ApplicationView = z.meta(
  z.object({
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
    timeline: z.array(z.object({ at: Instant, status: ApplicationStatus, note: z.optional(z.string()) })),
    deliveryBounce: z.optional(AddressBounceView),
  }),
  { id: 'Application' },
);
export type ApplicationView = z.infer<typeof ApplicationView>;

export const ApplicationList = z.meta(
  z.object({
    items: z.meta(z.array(ApplicationView), { description: 'Newest first' }),
    nextCursor: z.optional(z.string()),
    prefill: z.meta(z.optional(z.object({ titleId: Id, delivery: DeliveryInput })), {
      description: 'R19: the title and delivery target of the last application, to prefill the next',
    }),
  }),
  { id: 'ApplicationList' },
);
export type ApplicationList = z.infer<typeof ApplicationList>;

export const ApplicationPreview = z.meta(
  z.object({
    invoices: z.meta(z.array(z.omit(PlannedInvoiceView, { invoiceId: true, invoiceNumber: true })), {
      description:
        'R17, R18: one invoice per (entity, tax rate), one line per consumption month; tax per line on the ' +
        'tax-inclusive amount, rounded half away from zero to the fen; an invoice’s tax is the sum of its lines’.',
    }),
    total: Fen,
  }),
  { id: 'ApplicationPreview' },
);
export type ApplicationPreview = z.infer<typeof ApplicationPreview>;
