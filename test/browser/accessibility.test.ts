import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, order, sampleAddress, uniqueId, waitFor } from '../support/api.ts';
import { type AxeViolation, launchBrowser, navigateInApp, seriousViolations, signedIn } from './browser.ts';

/** axe-core on every page of the console: no serious or critical violation, in either language. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function audit(page: Page, path: string, ready: (page: Page) => Promise<unknown>) {
  await navigateInApp(page, path);
  await ready(page);
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
  return { path, violations: await seriousViolations(page) };
}

const heading = (name: string) => (page: Page) => page.getByRole('heading', { name }).first().waitFor();

describe('accessibility (axe-core)', () => {
  it('finds no serious or critical violation on any customer page', async () => {
    const account = uniqueId('weba11y');
    await givenAccount(account, {
      records: [order(`${account}-o1`), order(`${account}-o2`, { cashAmount: 22_600 })],
    });
    const api = await clientFor(account);
    const title = await api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    await api.post('/v1/addresses', sampleAddress());
    const created = await api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [`${account}-o1`],
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: `${account}@example.com` },
    });
    expect(created.status).toBe(201);
    const { applicationId } = created.body;

    const page = await signedIn(browser, account, '客户', { bypassCSP: true });
    const results: { path: string; violations: AxeViolation[] }[] = [];
    results.push(await audit(page, '/overview', heading('概览')));
    results.push(await audit(page, '/apply', heading('开票')));
    results.push(
      await audit(page, '/applications', (p) => p.getByRole('link', { name: applicationId }).waitFor()),
    );
    results.push(await audit(page, `/applications/${applicationId}`, heading('开票申请')));
    results.push(
      await audit(page, '/titles', (p) => p.getByRole('cell', { name: '杭州示例科技有限公司' }).waitFor()),
    );
    results.push(await audit(page, '/addresses', (p) => p.getByRole('cell', { name: '王五' }).waitFor()));
    results.push(await audit(page, '/auto-invoicing', heading('定期开票')));
    results.push(
      await audit(page, '/api-reference', (p) =>
        p.getByRole('cell', { name: '/v1/applications/preview' }).waitFor(),
      ),
    );
    const issued = await waitFor(async () => {
      const r = await api.get(`/v1/applications/${applicationId}`);
      return r.body.invoices[0]?.invoiceNumber ? r.body : undefined;
    }, 'the application to be issued');
    results.push(
      await audit(page, '/invoices', (p) =>
        p.getByRole('link', { name: issued.invoices[0].invoiceNumber }).waitFor(),
      ),
    );
    results.push(await audit(page, `/invoices/${issued.invoices[0].invoiceId}`, heading('发票')));
    // The same pages' words in English, and the not-found page.
    await page.getByText('English').click();
    results.push(await audit(page, '/overview', heading('Overview')));
    results.push(
      await audit(page, '/applications/app_nothing-here', (p) => p.getByText('Not found').waitFor()),
    );
    expect(results.filter((r) => r.violations.length > 0)).toEqual([]);
    await page.context().close();
  });

  it('finds no serious or critical violation on the sign-in page or any finance page', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
    const signIn = await context.newPage();
    await signIn.goto(`${inject('apiUrl')}/sign-in`);
    await signIn.getByLabel('账号 ID').waitFor();
    const results: { path: string; violations: AxeViolation[] }[] = [
      { path: '/sign-in', violations: await seriousViolations(signIn) },
    ];
    await context.close();

    // A special title waiting for review, so the queue's rows and their buttons are audited too.
    const owner = uniqueId('weba11yfin');
    await givenAccount(owner, {});
    const pending = await (await clientFor(owner)).post('/v1/titles', {
      type: 'enterprise-special',
      name: `${owner} 科技有限公司`,
      taxId: '91330106MA2H00006X',
      registeredAddress: '杭州市西湖区文三路1号',
      registeredPhone: '0571-88000000',
      bankName: '招商银行杭州分行',
      bankAccount: '571900000000001',
    });
    expect(pending.status).toBe(201);

    const page = await signedIn(browser, uniqueId('staff'), '财务人员', { bypassCSP: true });
    results.push(
      await audit(page, '/finance/reviews', (p) =>
        p.getByRole('button', { name: `通过 ${owner} 科技有限公司` }).waitFor(),
      ),
    );
    results.push(await audit(page, '/finance/invoices', heading('寄送与退票')));
    results.push(await audit(page, '/finance/copy-requests', heading('补寄申请')));
    results.push(await audit(page, '/finance/paper-stock', heading('纸票库存公告')));
    results.push(await audit(page, '/finance/monthly-runs', heading('月度开票报告')));
    results.push(await audit(page, '/finance/audit', heading('审计校验')));
    expect(results.filter((r) => r.violations.length > 0)).toEqual([]);
    await page.context().close();
  });
});
