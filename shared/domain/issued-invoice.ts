import type { Delivery, InvoiceLine } from '#domain/application';
import { shanghaiDate } from '#domain/calendar';
import type { Fen } from '#domain/money';
import type { TitleSnapshot } from '#domain/title';

/**
 * R34: `returning` while a return is under way (a paper one becomes `returned` once finance has
 * it back), `credited` once its red-letter invoice exists.
 */
export type InvoiceStatus = 'issued' | 'shipped' | 'delivered' | 'returning' | 'returned' | 'credited';

/** R27: SF Express (cash on delivery, postage paid by the provider), Yunda, or picked up. */
export type Courier = 'SF' | 'YUNDA' | 'PICKUP';

export const COURIER_NAMES: Record<Courier, { zh: string; en: string }> = {
  SF: { zh: '顺丰速运', en: 'SF Express' },
  YUNDA: { zh: '韵达快递', en: 'Yunda Express' },
  PICKUP: { zh: '自取', en: 'pickup' },
};

export interface Shipment {
  courier: Courier;
  /** Required for SF and YUNDA; a pickup has none. */
  trackingNumber?: string;
  shippedAt: string;
}

export interface SellerSnapshot {
  entityId: string;
  name: string;
  taxId: string;
  address: string;
  phone: string;
  bankName: string;
  bankAccount: string;
  issuer: string;
}

/** An issued invoice. Title, seller and delivery are frozen at issue (R26); never edited after. */
export interface IssuedInvoice {
  invoiceId: string;
  invoiceNumber: string;
  applicationId: string;
  accountId: string;
  kind: 'blue' | 'red';
  entity: string;
  taxRate: string;
  amount: Fen;
  amountExcludingTax: Fen;
  taxAmount: Fen;
  lines: InvoiceLine[];
  status: InvoiceStatus;
  issuedAt: string;
  title: TitleSnapshot;
  seller: SellerSnapshot;
  delivery: Delivery;
  /** Its application's correlation id (issue 16), for the audit trail, the metrics and the logs. */
  correlationId?: string;
  /** Where the PDF is, once rendered. */
  pdfKey?: string;
  /** Paper invoices: the courier and tracking number finance recorded (R27). */
  shipment?: Shipment;
  /** Paper invoices: when the customer confirmed receipt. */
  deliveredAt?: string;
  /** Indexes of allocation chunks already moved from reserved to invoiced on the records. */
  settledChunks: number[];
  /** R34: the return under way or done (on the original invoice). */
  returnId?: string;
  /** R34: finance recorded that the buyer certified (deducted) this special invoice. */
  certifiedAt?: string;
  /** Red-letter invoices: the invoice they credit. */
  originalInvoiceId?: string;
  originalInvoiceNumber?: string;
}

/**
 * A 20-digit number as on fully digital e-invoices: two digits of the year, the entity's
 * six-digit prefix, and a twelve-digit sequence that never repeats within the entity.
 */
export function formatInvoiceNumber(issuedAt: Date, prefix: string, sequence: number): string {
  // The year printed on the invoice is the China date's year.
  const year = shanghaiDate(issuedAt).slice(2, 4);
  return `${year}${prefix}${String(sequence).padStart(12, '0')}`;
}

/** A courier shipment needs its tracking number; a pickup must not pretend to have one. */
export function shipmentProblem(courier: Courier, trackingNumber: string | undefined): string | undefined {
  if (courier === 'PICKUP') return trackingNumber ? 'is not used for a pickup' : undefined;
  return trackingNumber ? undefined : `is required for courier ${courier}`;
}
