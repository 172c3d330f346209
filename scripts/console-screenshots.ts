/**
 * `npm run console:screenshots [-- --url http://127.0.0.1:3000 --ses http://127.0.0.1:8005]`: with
 * `npm start` running (its demo data seeded), signs in through the console in Chromium and saves
 * the main pages to docs/console/: the customer overview, the apply preview, an application's
 * detail, the finance review queue. Each run gives the demo account two fresh orders (as the
 * billing system) and applies for them, and adds a special title to the review queue. Once that
 * application is issued, its "issued" e-mail (the HTML alternative, from the local SES store) is
 * rendered to docs/mail/issued-zh.png; an English-language account applies too, for issued-en.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { choose, launchBrowser } from '../test/browser/browser.ts';
import type { SesStore, SesStoredEmail } from './local/ses.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'console');
const mailOut = join(root, 'docs', 'mail');

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

async function call(
  url: string,
  token: string,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** An English-language account of the demo with one order, applied for through the API. */
async function applyInEnglish(url: string, billing: string, run: string, paidAt: string): Promise<string> {
  const accountId = 'demo-enterprise-en';
  await call(
    url,
    billing,
    `/v1/internal/accounts/${accountId}`,
    {
      region: 'mainland',
      realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
      arrears: 0,
      language: 'en',
    },
    'PUT',
  );
  const recordId = `ecs-en-${run}`;
  await call(url, billing, '/v1/internal/billing-records', {
    records: [
      {
        accountId,
        recordId,
        kind: 'order',
        period: paidAt.slice(0, 7),
        paidAt,
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 53_000,
        productName: 'Elastic Compute Service',
      },
    ],
  });
  const customer = await tokenFor(url, accountId, []);
  const title = await call(url, customer, '/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  const email = 'finance-en@example.com';
  await call(url, customer, '/v1/applications', {
    mode: 'orders',
    recordIds: [recordId],
    titleId: title.titleId,
    delivery: { medium: 'electronic', email },
  });
  return email;
}

/** The first "issued" e-mail to `to` sent since `since` (epoch ms), once the workflow sent it. */
async function issuedMail(ses: string, to: string, since: number): Promise<SesStoredEmail> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const store = (await (await fetch(`${ses}/store`)).json()) as SesStore;
    const mail = store.emails.find(
      (e) =>
        e.destination.to.includes(to) && e.at * 1000 >= since - 1000 && /已开具|are issued/.test(e.subject),
    );
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`No "issued" e-mail to ${to} in ${ses}/store`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The mail's HTML alternative as a mail client shows it: 600 px wide, as tall as the mail. */
async function mailScreenshot(browser: Browser, mail: SesStoredEmail, path: string): Promise<void> {
  if (typeof mail.body.html !== 'string') throw new Error(`${mail.subject}: no HTML alternative`);
  const context = await browser.newContext({
    viewport: { width: 600, height: 240 },
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  await page.setContent(mail.body.html, { waitUntil: 'load' });
  await page.screenshot({ path, fullPage: true });
  await context.close();
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      ses: { type: 'string', default: 'http://127.0.0.1:8005' },
    },
  });
  const url = values.url!;
  mkdirSync(out, { recursive: true });
  mkdirSync(mailOut, { recursive: true });
  const started = Date.now();
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
  const englishEmail = await applyInEnglish(url, billing, run, paidAt);
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

    // The e-mails, once the cancellation window has passed and the invoices are issued.
    await mailScreenshot(
      browser,
      await issuedMail(values.ses!, 'finance@example.com', started),
      join(mailOut, 'issued-zh.png'),
    );
    await mailScreenshot(
      browser,
      await issuedMail(values.ses!, englishEmail, started),
      join(mailOut, 'issued-en.png'),
    );
    console.log(`E-mail screenshots written to ${mailOut.slice(root.length + 1)}/`);
  } finally {
    await browser.close();
  }
}

await main();
