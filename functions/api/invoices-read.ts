import { api, json } from '#http/handler';
import { INVOICES_READ } from '#http/routes/invoices';
import { getInvoicePdfFor, getInvoiceXmlFor } from '#use-cases/invoice-pdf';
import { exportInvoicesCsv, getInvoiceFor, listInvoicesFor } from '#use-cases/invoices';

export const handler = api(INVOICES_READ, {
  listInvoices: async ({ accountId, query }) => json(200, await listInvoicesFor(accountId, query)),
  exportInvoices: async ({ accountId, query, now }) => {
    const { filename, csv } = await exportInvoicesCsv(accountId, query, now);
    return {
      statusCode: 200,
      headers: { 'content-disposition': `attachment; filename="${filename}"` },
      text: { contentType: 'text/csv; charset=utf-8', data: csv },
    };
  },
  getInvoice: async ({ accountId, path }) => json(200, await getInvoiceFor(accountId, path.invoiceId)),
  getInvoicePdf: async ({ accountId, path }) => {
    const pdf = await getInvoicePdfFor(accountId, path.invoiceId);
    return {
      statusCode: 200,
      headers: { 'content-disposition': `attachment; filename="${pdf.filename}"` },
      binary: { contentType: 'application/pdf', data: pdf.data },
    };
  },
  getInvoiceXml: async ({ accountId, path }) => {
    const xml = await getInvoiceXmlFor(accountId, path.invoiceId);
    return {
      statusCode: 200,
      headers: { 'content-disposition': `attachment; filename="${xml.filename}"` },
      text: { contentType: 'application/xml', data: xml.data },
    };
  },
});
