/**
 * `npm run console:screenshots [-- --url http://127.0.0.1:3000]`: with `npm start` running (its demo
 * data seeded), signs in through the console in Chromium and saves the main pages to docs/console/:
 * the customer overview, the apply preview, an application's detail, the finance review queue.
 * Each run gives the demo account two fresh orders (as the billing system) and applies for them,
 * and adds a special title to the review queue.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { choose, launchBrowser } from '../test/browser/browser.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'console');

async function signIn(browser: Browser, url: string, accountId: string, finance: boolean): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('账号 ID').fill(accountId);
  await page.getByLabel(finance ? '财务人员' : '客户').check();
  await page.locator('button[type=submit]').click();
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

async function tokenFor(url: string, accountId: string, groups: string[]): Promise<string> {
  const response = await fetch(`${url}/local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, groups }),
  });
  return ((await response.json()) as { idToken: string }).idToken;
}

async function call(url: string, token: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

async function main() {
  const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://127.0.0.1:3000' } } });
  const url = values.url!;
  mkdirSync(out, { recursive: true });
  const run = Date.now().toString(36);
  const paidAt = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const billing = await tokenFor(url, 'billing-system', ['billing-system']);
  const order = (recordId: string, fields: Record<string, unknown>) => ({
    accountId: 'demo-enterprise',
    recordId,
    kind: 'order',
    period: paidAt.slice(0, 7),
    paidAt,
    ...fields,
  });
  await call(url, billing, '/v1/internal/billing-records', {
    records: [
      order(`ecs-${run}`, {
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 128_000,
        productName: '云服务器 ECS',
      }),
      order(`hw-${run}`, {
        entity: 'cn-sh-01',
        taxRate: '0.13',
        cashAmount: 300_000,
        productName: '专属硬件',
      }),
    ],
  });
  const browser = await launchBrowser();
  try {
    const page = await signIn(browser, url, 'demo-enterprise', false);
    await page.getByText('¥').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(out, 'overview.png'), animations: 'disabled' });

    await page.getByRole('menuitem', { name: '开票', exact: true }).click();
    await page.getByRole('checkbox', { name: `ecs-${run}` }).check();
    await page.getByRole('checkbox', { name: `hw-${run}` }).check();
    await choose(page, '发票抬头', '杭州示例科技有限公司');
    await page.getByLabel('接收邮箱').fill('finance@example.com');
    await page.getByRole('button', { name: '预览发票' }).click();
    await page.getByTestId('preview-total').waitFor();
    await page.getByTestId('preview-total').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(out, 'apply-preview.png'), animations: 'disabled' });

    await page.getByRole('button', { name: '提交申请' }).click();
    await page.getByTestId('cancel-countdown').waitFor();
    await page.screenshot({ path: join(out, 'application.png'), fullPage: true, animations: 'disabled' });

    // A special title for the queue, through the API as the customer.
    await call(url, await tokenFor(url, 'demo-enterprise', []), '/v1/titles', {
      type: 'enterprise-special',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
      registeredAddress: '杭州市西湖区文三路100号',
      registeredPhone: '0571-88000000',
      bankName: '招商银行杭州分行',
      bankAccount: '571900000000001',
    });
    const finance = await signIn(browser, url, 'staff-1', true);
    await finance.getByRole('cell', { name: '杭州示例科技有限公司' }).first().waitFor();
    await finance.locator('.ant-spin-spinning').waitFor({ state: 'detached' });
    await finance.screenshot({ path: join(out, 'finance-reviews.png'), animations: 'disabled' });
    console.log(`Screenshots written to ${out.slice(root.length + 1)}/`);
  } finally {
    await browser.close();
  }
}

await main();
