import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, order, uniqueId } from '../support/api.ts';
import { choose, launchBrowser, seriousViolations, signedIn } from './browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the organization page (R32, R33)', () => {
  it('an org admin sees the members and applies for one of them, consolidated', async () => {
    // Prepare: an organization of two accounts; the member has a ¥106.00 order.
    const orgId = uniqueId('org');
    const admin = uniqueId('orgadmin');
    const member = uniqueId('orgmember');
    const billing = await clientFor('billing-system', ['billing-system']);
    expect(
      (await billing.put(`/v1/internal/organizations/${orgId}`, { crossMemberArrearsOffset: true })).status,
    ).toBe(200);
    for (const accountId of [admin, member]) {
      const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
        region: 'mainland',
        realName: { type: 'enterprise', name: '示例集团' },
        arrears: 0,
        orgId,
      });
      expect(put.status).toBe(200);
    }
    await billing.post('/v1/internal/billing-records', {
      records: [{ accountId: member, ...order(`${member}-o1`) }],
    });
    const adminApi = await clientFor(admin, ['org-admin']);
    const title = await adminApi.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '示例集团',
      taxId: '91330106MA2H00006X',
    });
    expect(title.status).toBe(201);

    const page = await signedIn(browser, admin, '企业管理员', { bypassCSP: true });
    await page.getByRole('menuitem', { name: '企业开票' }).click();
    await page.getByRole('cell', { name: member }).waitFor();
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel(`开票金额（元） ${member}`).fill('106');
    await choose(page, '发票抬头', '示例集团');
    await page.getByLabel('接收邮箱').fill(`${admin}@example.com`);
    await page.getByRole('button', { name: '提交申请' }).click();
    const link = page.locator('a[href^="/applications/"]').first();
    await link.waitFor();
    const applicationId = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);
    const application = await adminApi.get(`/v1/applications/${applicationId}`);
    expect(application.status).toBe(200);
    expect(application.body.total).toBe(10_600);
    await page.context().close();
  });
});
