import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, givenAccount, order, sampleAddress, uniqueId, waitFor } from '../support/api.ts';
import { choose, launchBrowser, navigateInApp, signedIn } from './browser.ts';

/** Refusals as the console shows them: a reason from finance, and the API's validation errors. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the console shows why', () => {
  it('a rejected application shows the reason finance gave', async () => {
    // Prepare: a paper application (always reviewed, R25) waiting for finance.
    const account = uniqueId('webreject');
    await givenAccount(account, { records: [order(`${account}-o1`, { cashAmount: 53_000 })] });
    const api = await clientFor(account);
    const staff = await clientFor('finance-staff', ['finance']);
    const title = await api.post('/v1/titles', {
      type: 'enterprise-special',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
      registeredAddress: '杭州市西湖区文三路1号',
      registeredPhone: '0571-88888888',
      bankName: '中国工商银行杭州文三支行',
      bankAccount: '1202000000000000000',
    });
    await staff.post(`/v1/admin/accounts/${account}/titles/${title.body.titleId}/decision`, {
      approve: true,
    });
    const address = await api.post('/v1/addresses', sampleAddress());
    const created = await api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [`${account}-o1`],
      titleId: title.body.titleId,
      delivery: { medium: 'paper', addressId: address.body.addressId },
    });
    expect(created.status).toBe(201);
    const { applicationId } = created.body;
    await waitFor(async () => {
      const r = await api.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'in-review' ? r : undefined;
    }, 'the application to wait for review');

    // Finance rejects it with a reason.
    const finance = await signedIn(browser, uniqueId('staff'), '财务人员');
    await finance.getByRole('button', { name: `驳回 ${applicationId}` }).click();
    const dialog = finance.getByRole('dialog');
    await dialog.getByLabel('原因').fill('纸质发票本月库存不足，请改为电子发票');
    await dialog.getByRole('button', { name: /驳\s?回/ }).click();
    await finance.getByText('已驳回').first().waitFor();
    await finance.context().close();

    // The customer sees the status and the reason on the application.
    const page = await signedIn(browser, account);
    await navigateInApp(page, `/applications/${encodeURIComponent(applicationId)}`);
    await page.getByTestId('application-status').filter({ hasText: '已驳回' }).waitFor();
    // On the application's timeline (the audit trail below shows it too once the recorder has it).
    await page
      .locator('.ant-timeline-item-content', { hasText: '纸质发票本月库存不足，请改为电子发票' })
      .waitFor();
    expect((await api.get(`/v1/applications/${applicationId}`)).body.status).toBe('rejected');
    await page.context().close();
  });

  it('deletes an address only once the deletion is confirmed', async () => {
    const account = uniqueId('webdelete');
    await givenAccount(account, {});
    const api = await clientFor(account);
    const created = await api.post('/v1/addresses', sampleAddress());
    expect(created.status).toBe(201);
    const page = await signedIn(browser, account);
    await page.getByRole('menuitem', { name: '邮寄地址' }).click();
    await page.getByText('文三路1号').waitFor();

    // Asked first: "no" keeps it, "yes" deletes it.
    await page.getByRole('button', { name: /删\s?除/ }).click();
    await page.getByText('确定删除吗？').waitFor();
    await page.getByRole('button', { name: /^否$/ }).click();
    expect((await api.get('/v1/addresses')).body.items).toHaveLength(1);
    await page.getByRole('button', { name: /删\s?除/ }).click();
    await page.getByRole('button', { name: /^是$/ }).click();
    await page.getByText('文三路1号').waitFor({ state: 'detached' });
    expect((await api.get('/v1/addresses')).body.items).toEqual([]);
    await page.context().close();
  });

  it('puts the API’s validation errors on the fields they name and keeps what was typed', async () => {
    const account = uniqueId('webvalid');
    await givenAccount(account, {});
    const page = await signedIn(browser, account);
    await page.getByRole('menuitem', { name: '开票信息' }).click();
    await page.getByRole('button', { name: '新增抬头' }).click();
    const dialog = page.getByRole('dialog');
    await choose(page, '抬头类型', '企业 · 增值税普通发票');
    await dialog.getByLabel('抬头名称').fill('杭州示例科技有限公司');
    // Not a taxpayer ID: only the service knows its rule (15–20 upper-case letters and digits).
    await dialog.getByLabel('纳税人识别号').fill('not-a-tax-id');
    await dialog.getByRole('button', { name: /保\s?存/ }).click();

    // The message in Chinese, the field's own error under it, and nothing lost or created.
    await page.getByText('填写的内容有误，请检查标出的字段。').waitFor();
    const taxIdItem = dialog.locator('.ant-form-item').filter({ has: page.getByLabel('纳税人识别号') });
    await taxIdItem.locator('.ant-form-item-explain-error').waitFor();
    expect(await dialog.getByLabel('抬头名称').inputValue()).toBe('杭州示例科技有限公司');
    expect(await dialog.getByLabel('纳税人识别号').inputValue()).toBe('not-a-tax-id');
    expect((await (await clientFor(account)).get('/v1/titles')).body.items).toEqual([]);
    await page.context().close();
  });
});
