import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientFor, givenAccount, order, pdfText, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import { schemaErrors } from '../support/invoice-xml-schema.ts';

const BUYER = `Tom & Jerry's <示例> 科技有限公司`;
const REMARK = 'PO "4711" & <rush>';

const workDir = mkdtempSync(join(tmpdir(), 'invoice-xml-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** The first embedded file of `pdf` as pdfdetach (poppler-utils) extracts it. */
function embeddedFile(pdf: Uint8Array): { list: string; data: Buffer } {
  const file = join(workDir, `${uniqueId('pdf')}.pdf`);
  const out = join(workDir, `${uniqueId('xml')}.xml`);
  writeFileSync(file, pdf);
  const list = execFileSync('pdfdetach', ['-list', file], { encoding: 'utf8' });
  execFileSync('pdfdetach', ['-save', '1', '-o', out, file]);
  return { list, data: readFileSync(out) };
}

describe('R26 R27 the invoice as XML, alone and inside its PDF/A-3', () => {
  it('serves the XML that the PDF embeds and the e-mail attaches; it validates against the schema', async () => {
    // Prepare
    const accountId = uniqueId('acct');
    const email = `${accountId}@example.com`;
    await givenAccount(accountId, { records: [order(uniqueId('o'), { cashAmount: 10_600 })] });
    const customer = await clientFor(accountId);
    const title = await customer.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: BUYER,
      taxId: '91330106MA2H00006X',
      remark: REMARK,
    });
    expect(title.status).toBe(201);
    const created = await customer.post('/v1/applications', {
      mode: 'amount',
      amount: 10_600,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email },
    });
    expect(created.status).toBe(201);
    const applicationId = created.body.applicationId as string;
    const delivered = await waitFor(async () => {
      const r = await customer.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the application to be issued and e-mailed');
    const invoiceId = delivered.invoices[0].invoiceId as string;
    const invoiceNumber = delivered.invoices[0].invoiceNumber as string;

    // Act
    const xml = await customer.get(`/v1/invoices/${invoiceId}/xml`);
    const pdf = await customer.get(`/v1/invoices/${invoiceId}/pdf`);
    const intruder = await (await clientFor(uniqueId('intruder'))).get(`/v1/invoices/${invoiceId}/xml`);

    // Assess
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(xml.headers.get('content-disposition')).toBe(`attachment; filename="${invoiceNumber}.xml"`);
    const served = Buffer.from(xml.raw).toString('utf8');
    expect(await schemaErrors(served)).toEqual([]);
    expect(served).toContain(`<InvoiceNumber>${invoiceNumber}</InvoiceNumber>`);
    expect(served).toContain('<Name>Tom &amp; Jerry&apos;s &lt;示例&gt; 科技有限公司</Name>');
    expect(served).toContain('<Remarks>PO &quot;4711&quot; &amp; &lt;rush&gt;</Remarks>');
    expect(served).toContain('<TotalInWords>壹佰零陆圆整</TotalInWords>');

    expect(pdf.status).toBe(200);
    const { list, data } = embeddedFile(pdf.raw);
    expect(list).toMatch(/^1: fapiao.xml$/m);
    expect(data.equals(Buffer.from(xml.raw))).toBe(true);
    expect(pdfText(pdf.raw)).toContain(BUYER);

    const mails = await sentMailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`${invoiceNumber}.pdf`, 'application/pdf'],
      [`${invoiceNumber}.xml`, 'application/xml'],
    ]);
    const mailedXml = mails[0]!.attachments[1]!.content;
    expect(Buffer.from(mailedXml, 'base64').equals(Buffer.from(xml.raw))).toBe(true);

    expect(intruder.status).toBe(404);
    expect(intruder.body).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});
