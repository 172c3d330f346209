/**
 * Rendering one invoice PDF (shared/adapters/pdf-renderer.ts), in this process: the first
 * render (reads and opens the 10 MB font, as a cold Lambda does) and then BENCH_PDF_RUNS
 * (20) more of a two-line special invoice, each with its own invoice number; prints the
 * minimum and median and the file size.
 */
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import type { InvoiceDocument } from '#domain/invoice-document';
import { sampleInvoiceDocument } from '../test/support/invoice-document.ts';

const RUNS = Number(process.env.BENCH_PDF_RUNS ?? 20);

/** The sample invoice, each render with its own number. */
function invoice(index: number): InvoiceDocument {
  return sampleInvoiceDocument({ invoiceNumber: `263320000001234${String(index).padStart(5, '0')}` });
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
