/**
 * Rendering one invoice PDF (shared/adapters/pdf-renderer.ts), in this process: the first
 * render (reads and opens the 10 MB font, as a cold Lambda does) and then BENCH_PDF_RUNS
 * (20) more of a two-line special invoice, each with its own invoice number; prints the
 * minimum and median and the file size.
 */
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import type { InvoiceDocument } from '#domain/invoice-document';

const RUNS = Number(process.env.BENCH_PDF_RUNS ?? 20);

const line = {
  itemName: '*信息技术服务*云服务费',
  specification: '2026-10',
  unit: '月',
  quantity: 1,
  amountExcludingTax: 6000,
  taxRate: '0.06',
  taxAmount: 360,
};

function invoice(index: number): InvoiceDocument {
  return {
    invoiceNumber: `263320000001234${String(index).padStart(5, '0')}`,
    kind: 'blue',
    invoiceType: 'enterprise-special',
    issuedAt: '2026-10-31T17:30:00.000Z',
    buyer: {
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00000X',
      registeredAddress: '浙江省杭州市西湖区文三路100号',
      registeredPhone: '0571-88880000',
      bankName: '招商银行杭州分行',
      bankAccount: '571900000000001',
    },
    seller: {
      name: '上海云端信息服务有限公司',
      taxId: '91310115MA1K00000Y',
      address: '上海市浦东新区世纪大道1号',
      phone: '021-66660000',
      bankName: '中国工商银行上海分行',
      bankAccount: '1001200000000000000',
    },
    lines: [line, { ...line, itemName: '*信息技术服务*技术支持服务费', specification: 'ORD-20261031-0001' }],
    amountExcludingTax: 12000,
    taxAmount: 720,
    total: 12720,
    taxRate: '0.06',
    remarks: '订单号 ORD-20261031-0001',
    issuer: '张三',
  };
}

export async function benchPdf(): Promise<{
  firstMs: number;
  minMs: number;
  medianMs: number;
  bytes: number;
}> {
  let start = performance.now();
  const first = await renderInvoicePdf(invoice(0));
  const firstMs = performance.now() - start;
  const times: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    start = performance.now();
    await renderInvoicePdf(invoice(i));
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const minMs = times[0]!;
  const medianMs = times[Math.floor(times.length / 2)]!;
  console.log(
    `Invoice PDF: first render ${firstMs.toFixed(1)} ms (font read and opened), then ` +
      `min ${minMs.toFixed(1)} ms, median ${medianMs.toFixed(1)} ms over ${RUNS}; ${first.byteLength} bytes`,
  );
  return { firstMs, minMs, medianMs, bytes: first.byteLength };
}
