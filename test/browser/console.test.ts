import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, givenAccount, order, sampleAddress, uniqueId, waitFor } from '../support/api.ts';
import { choose, downloadOf, launchBrowser, navigateInApp, signedIn } from './browser.ts';

/**
 * The console in real Chromium against the local stack (its own, with a 10-second cancellation
 * window): what a customer and a finance clerk do with the mouse, checked on the page and
 * through the API.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const BUYER = '杭州示例科技有限公司';

async function applicationStatus(page: Page): Promise<string> {
  return ((await page.getByTestId('application-status').textContent()) ?? '').trim();
}

describe('the console, customer and finance, in Chromium', () => {
  it('a customer applies by orders and by amount, previews, cancels one, and downloads the other as PDF and CSV', async () => {
    // Prepare: two orders (¥106.00 at 6 %, ¥226.00 at 13 %) and an approved ordinary title.
    const account = uniqueId('web');
    await givenAccount(account, {
      records: [
        order(`${account}-o1`, { cashAmount: 10_600, productName: '云服务器' }),
        order(`${account}-o2`, { cashAmount: 22_600, entity: 'cn-sh-01', taxRate: '0.13' }),
      ],
    });
    const api = await clientFor(account);
    const title = await api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: BUYER,
      taxId: '91330106MA2H00006X',
    });
    expect(title.status).toBe(201);
    const page = await signedIn(browser, account);

    // The overview shows the invoiceable amount in yuan.
    await page.getByText('¥332.00').first().waitFor();

    // By orders: one record, its preview, submit, then cancel within the window.
    await page.getByRole('menuitem', { name: '开票', exact: true }).click();
    await page.getByRole('checkbox', { name: `${account}-o1` }).check();
    await expect.poll(() => page.getByTestId('selection-total').textContent()).toContain('¥106.00');
    await choose(page, '发票抬头', BUYER);
    await page.getByLabel('接收邮箱').fill(`${account}@example.com`);
    await page.getByRole('button', { name: '预览发票' }).click();
    expect(await page.getByTestId('preview-total').textContent()).toBe('¥106.00');
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/applications\/[^/]+$/);
    const cancelledId = decodeURIComponent(page.url().split('/').pop()!);
    expect(await applicationStatus(page)).toBe('已提交');
    await page.getByTestId('cancel-countdown').waitFor();
    await page.getByRole('button', { name: '取消申请' }).click();
    await page.getByRole('button', { name: '是' }).click();
    await expect.poll(() => applicationStatus(page)).toBe('已取消');
    expect((await api.get(`/v1/applications/${cancelledId}`)).body.status).toBe('cancelled');

    // By amount: title and e-mail come prefilled from the last application (R19); a double
    // click on submit creates one application.
    await page.getByRole('menuitem', { name: '开票', exact: true }).click();
    await page.getByRole('tab', { name: '按金额' }).click();
    await expect.poll(() => page.getByLabel('接收邮箱').inputValue()).toBe(`${account}@example.com`);
    await page.getByLabel('开票金额（元）').fill('50');
    await page.getByRole('button', { name: '预览发票' }).click();
    expect(await page.getByTestId('preview-total').textContent()).toBe('¥50.00');
    await page.getByRole('button', { name: '提交申请' }).dblclick();
    await page.waitForURL(/\/applications\/[^/]+$/);
    const issuedId = decodeURIComponent(page.url().split('/').pop()!);
    const amountApplications = (await api.get('/v1/applications?limit=100')).body.items.filter(
      (a: { mode: string }) => a.mode === 'amount',
    );
    expect(amountApplications.map((a: { applicationId: string }) => a.applicationId)).toEqual([issuedId]);

    // The page follows it to delivered; the invoice downloads as a PDF.
    await expect.poll(() => applicationStatus(page), { timeout: 45_000, interval: 500 }).toBe('已交付');
    const application = (await api.get(`/v1/applications/${issuedId}`)).body;
    const invoiceNumber: string = application.invoices[0].invoiceNumber;
    await page.getByRole('link', { name: invoiceNumber }).click();
    await page.waitForURL(/\/invoices\//);
    const pdf = await downloadOf(page, () => page.getByRole('button', { name: '下载发票' }).first().click());
    expect(pdf.name).toBe(`${invoiceNumber}.pdf`);
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // 导出明细: the CSV of the last 90 days has the invoice.
    await page.getByRole('menuitem', { name: '发票', exact: true }).click();
    const csv = await downloadOf(page, () => page.getByRole('button', { name: '导出明细' }).click());
    expect(csv.name).toMatch(/^invoices-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.bytes.toString('utf8')).toContain(invoiceNumber);
    await page.context().close();
  });

  it('finance approves a special title and a paper application and ships it; the customer confirms receipt and downloads the PDF', async () => {
    // Prepare: a special title waiting for review and a saved address.
    const account = uniqueId('webpaper');
    const buyer = `浙江${account.slice(-8)}有限公司`;
    await givenAccount(account, { records: [order(`${account}-o1`, { cashAmount: 53_000 })] });
    const api = await clientFor(account);
    const title = await api.post('/v1/titles', {
      type: 'enterprise-special',
      name: buyer,
      taxId: '91330106MA2H00006X',
      registeredAddress: '杭州市西湖区文三路1号',
      registeredPhone: '0571-88888888',
      bankName: '中国工商银行杭州文三支行',
      bankAccount: '1202000000000000000',
    });
    expect(title.body.status).toBe('pending-review');
    const address = await api.post('/v1/addresses', sampleAddress());
    expect(address.status).toBe(201);

    // Finance approves the title from the review queue.
    const finance = await signedIn(browser, uniqueId('staff'), '财务人员');
    await finance.getByRole('heading', { name: '审核队列' }).waitFor();
    await finance.getByRole('button', { name: `通过 ${buyer}` }).click();
    await waitFor(async () => {
      const t = await api.get(`/v1/titles/${title.body.titleId}`);
      return t.body.status === 'approved' ? t : undefined;
    }, 'the title to be approved');

    // The customer applies for paper; after the cancellation window it waits for finance (R25).
    const created = await api.post(
      '/v1/applications',
      {
        mode: 'orders',
        recordIds: [`${account}-o1`],
        titleId: title.body.titleId,
        delivery: { medium: 'paper', addressId: address.body.addressId },
      },
      { 'Idempotency-Key': `${account}-paper` },
    );
    expect(created.status).toBe(201);
    const { applicationId } = created.body;
    await waitFor(async () => {
      const r = await api.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'in-review' ? r : undefined;
    }, 'the paper application to wait for review');
    await finance.getByRole('button', { name: '刷 新' }).click();
    await finance.getByRole('button', { name: `通过 ${applicationId}` }).click();
    const issued = await waitFor(async () => {
      const r = await api.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'issued' ? r.body : undefined;
    }, 'the paper application to be issued');
    const invoiceId: string = issued.invoices[0].invoiceId;

    // Finance records the shipment.
    await finance.getByRole('menuitem', { name: '寄送与退票' }).click();
    await finance.getByLabel('发票 ID').fill(invoiceId);
    await finance.getByLabel('快递单号').fill('SF1234567890');
    await finance.getByRole('button', { name: '登记寄送' }).click();
    await finance.getByText('已寄出').first().waitFor();
    expect((await api.get(`/v1/invoices/${invoiceId}`)).body.shipment).toMatchObject({
      courier: 'SF',
      trackingNumber: 'SF1234567890',
    });
    await finance.context().close();

    // The customer sees it shipped, confirms receipt and downloads it.
    const page = await signedIn(browser, account);
    await navigateInApp(page, `/invoices/${encodeURIComponent(invoiceId)}`);
    await page.getByText('顺丰 SF1234567890').waitFor();
    await page.getByRole('button', { name: '确认收到' }).click();
    await page.getByText('已确认收到').waitFor();
    await waitFor(async () => {
      const r = await api.get(`/v1/invoices/${invoiceId}`);
      return r.body.status === 'delivered' ? r : undefined;
    }, 'the invoice to be delivered');
    // The preview shows the PDF in the page: the file the API served, as an object URL in a frame.
    let served: Buffer | undefined;
    await page.route(`**/v1/invoices/${encodeURIComponent(invoiceId)}/pdf`, async (route) => {
      const response = await route.fetch();
      served = await response.body();
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: '预览发票' }).click();
    const frame = page.locator('iframe[title^="预览发票"]');
    await frame.waitFor();
    expect((await frame.getAttribute('src'))?.startsWith('blob:')).toBe(true);
    expect(served?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.unroute(`**/v1/invoices/${encodeURIComponent(invoiceId)}/pdf`);
    await page.locator('.ant-modal-close').click();
    await frame.waitFor({ state: 'detached' });
    const pdf = await downloadOf(page, () => page.getByRole('button', { name: '下载发票' }).click());
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.context().close();
  });

  it('switches to English, shows China time whatever the browser zone, and says "not found" for a foreign id', async () => {
    const other = uniqueId('webother');
    await givenAccount(other, { records: [order(`${other}-o1`)] });
    const otherApi = await clientFor(other);
    const otherTitle = await otherApi.post('/v1/titles', { type: 'personal-ordinary', name: '张三' });
    const foreign = await otherApi.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: otherTitle.body.titleId,
      delivery: { medium: 'electronic', email: 'zhang@example.com' },
    });
    expect(foreign.status).toBe(201);

    const account = uniqueId('weblang');
    await givenAccount(account, {
      records: [
        order(`${account}-o1`),
        order(`${account}-r1`, { kind: 'refund', parentRecordId: `${account}-o1`, cashAmount: -1_000 }),
      ],
    });
    const paidAt = (await (await clientFor(account)).get('/v1/billing-records')).body.items[0]
      .paidAt as string;
    expect(paidAt).toMatch(/\+08:00$/);
    const page = await signedIn(browser, account);
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByText('English').click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('menuitem', { name: 'Apply' }).click();
    await page.getByRole('tab', { name: 'By order details' }).waitFor();

    // The payment time is shown in China time although the browser runs in New York.
    const row = page.getByRole('row').filter({ hasText: `${account}-o1` });
    expect(await row.textContent()).toContain(`${paidAt.slice(0, 10)} ${paidAt.slice(11, 16)}`);
    // The entity by its name; the refund under the order it reduces (R7), shown on expanding it.
    expect(await row.textContent()).toContain('北京云启计算技术有限公司');
    await row.getByRole('button', { name: 'Expand row' }).click();
    await page.getByRole('cell', { name: `${account}-r1`, exact: true }).waitFor();
    const refund = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: `${account}-r1`, exact: true }) });
    expect(await refund.last().textContent()).toContain('Refund');

    // Another account's application answers "not found", exactly like one that does not exist.
    await navigateInApp(page, `/applications/${encodeURIComponent(foreign.body.applicationId)}`);
    await page.getByText('Not found').waitFor();
    await navigateInApp(page, '/applications/app_does-not-exist');
    await page.getByText('Not found').waitFor();
    await page.context().close();
  });
});
