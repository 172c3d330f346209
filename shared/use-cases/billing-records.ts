import { listRecordsPage } from '#adapters/record-repository';
import { type BillingRecord, describeRecord, NEGATIVE_KINDS } from '#domain/billing-record';
import { toShanghaiIso } from '#domain/calendar';
import type { BillingRecordList, BillingRecordQuery, BillingRecordView } from '#schemas/billing-records';
import { CursorId, cursorCodec } from '#schemas/cursor';
import * as z from '#schemas/zod';

/**
 * GET /v1/billing-records: the account's records in record-id order with, for each, what is
 * invoiceable and why not (R10). The cursor is opaque to clients; it names the last record
 * returned and is only ever read within the caller's own account.
 */
export async function listBillingRecords(
  accountId: string,
  query: BillingRecordQuery,
  now: Date,
): Promise<BillingRecordList> {
  const after = cursor.decode(query.cursor)?.after;
  const wanted = query.invoiceable;
  const page = await listRecordsPage(accountId, {
    limit: query.limit,
    after,
    filter: {
      kind: query.kind,
      entity: query.entity,
      period: query.period,
      availableOnly: wanted === true,
    },
    keep: (record) =>
      wanted === undefined || (describeRecord(record, now).status === 'invoiceable') === wanted,
  });
  return {
    items: page.records.map((record) => billingRecordView(record, now)),
    ...(page.lastRecordId === undefined ? {} : { nextCursor: cursor.encode({ after: page.lastRecordId }) }),
  };
}

export function billingRecordView(record: BillingRecord, now: Date): BillingRecordView {
  const view = describeRecord(record, now);
  const positive = !NEGATIVE_KINDS.has(record.kind) && record.kind !== 'recharge';
  return {
    recordId: record.recordId,
    kind: record.kind,
    ...(record.parentRecordId === undefined ? {} : { parentRecordId: record.parentRecordId }),
    period: record.period,
    paidAt: toShanghaiIso(new Date(record.paidAt)),
    entity: record.entity,
    taxRate: record.taxRate,
    ...(record.productName === undefined ? {} : { productName: record.productName }),
    cashAmount: record.cashAmount,
    voucherAmount: record.voucherAmount,
    fulfilment: record.fulfilment,
    ...(record.fulfilledCashAmount === undefined ? {} : { fulfilledCashAmount: record.fulfilledCashAmount }),
    negativesAmount: positive ? record.negativesAmount : 0,
    invoicedAmount: record.invoicedAmount,
    reservedAmount: record.reservedAmount,
    invoiceableAmount: view.invoiceableAmount,
    status: view.status,
    ...(view.notInvoiceableReason === undefined ? {} : { notInvoiceableReason: view.notInvoiceableReason }),
    ...(positive && record.eligibleFrom !== undefined
      ? { eligibleFrom: toShanghaiIso(new Date(record.eligibleFrom)) }
      : {}),
  };
}

const cursor = cursorCodec('billing-records', z.object({ after: CursorId }));
