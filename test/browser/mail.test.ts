import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';
import { clientFor, givenAccount, order, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import { launchBrowser, seriousViolations } from './browser.ts';

/**
 * The "invoices issued" e-mail as the stack sends it (its HTML alternative, as the local SES
 * parsed it from the multipart/alternative MIME), rendered in Chromium at a phone and a desktop
 * width: what a customer must be able to read and click.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** An issued application with a 6% and a 13% invoice; its "issued" e-mail and the invoices. */
async function issuedMail() {
  const account = uniqueId('webmail');
  await givenAccount(account, {
    records: [
      order(`${account}-bj`, { entity: 'cn-bj-01', taxRate: '0.06', cashAmount: 10_600 }),
      order(`${account}-sh`, { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 22_600 }),
    ],
  });
  const api = await clientFor(account);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  const email = `${account}@example.com`;
  const created = await api.post('/v1/applications', {
    mode: 'orders',
    recordIds: [`${account}-bj`, `${account}-sh`],
    titleId: title.body.titleId,
    delivery: { medium: 'electronic', email },
  });
  expect(created.status).toBe(201);
  const applicationId = created.body.applicationId as string;
  const mail = await waitFor<SesStoredEmail>(
    async () => (await sentMailTo(email)).find((m) => m.subject.includes('已开具')),
    'the issued e-mail',
    90_000,
  );
  const invoices = await Promise.all(
    (created.body.invoices as { invoiceId: string }[]).map(
      async (i) => (await api.get(`/v1/invoices/${i.invoiceId}`)).body,
    ),
  );
  return { applicationId, mail, invoices };
}

/** The mail's HTML in a fresh page of the given width; every request the page makes is recorded. */
async function rendered(html: string, width: number): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: true });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, requests };
}

/** The fonts Chromium actually drew the element's text with (DevTools protocol). */
async function fontsOf(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  return fonts.map((f) => f.familyName);
}

describe('the "invoices issued" e-mail in a browser', () => {
  it('shows numbers, yuan, percent and console links, fits a phone, and loads nothing', async () => {
    const { applicationId, mail, invoices } = await issuedMail();
    const html = mail.body.html;
    expect(html, 'the mail has an HTML alternative').toBeTypeOf('string');
    if (typeof html !== 'string') return;
    expect(mail.body.text).toContain('6%');

    // Mail clients block scripts and remote content: the HTML has none of either.
    expect(html).not.toMatch(/<script|<iframe|<object|<embed|<link\b|<img\b|\bsrc\s*=|url\(|@import/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);

    const consoleUrl = inject('consoleUrl');
    expect(consoleUrl).toBeTruthy();
    for (const width of [375, 1280]) {
      const { page, requests } = await rendered(html, width);
      try {
        expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
        const text = (await page.locator('body').textContent()) ?? '';

        // Each invoice's number, its amount in yuan with two decimals and its rate in percent.
        const rows = await page
          .locator('tr')
          .evaluateAll((trs) =>
            trs.map((tr) =>
              [...(tr as unknown as { cells: { textContent: string }[] }).cells].map((c) =>
                c.textContent.trim(),
              ),
            ),
          );
        expect(invoices).toHaveLength(2);
        for (const [number, amount, rate] of [
          [invoices.find((i) => i.taxRate === '0.06')?.invoiceNumber, '¥106.00', '6%'],
          [invoices.find((i) => i.taxRate === '0.13')?.invoiceNumber, '¥226.00', '13%'],
        ]) {
          expect(number).toMatch(/^\d{8,20}$/);
          expect(rows, `a row for ${number}`).toContainEqual([number, amount, rate]);
        }
        expect(text).toContain('¥332.00');
        expect(text).not.toMatch(/0\.06|0\.13/);

        // The console link is a real anchor to the configured console, visible and clickable.
        const links = await page
          .locator('a')
          .evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
        expect(links).toContain(`${consoleUrl}/applications/${encodeURIComponent(applicationId)}`);
        await expect(page.getByRole('link', { name: '在控制台查看申请单' }).isVisible()).resolves.toBe(true);

        // Nothing wider than the screen: no sideways scrolling on a phone.
        const { scrollWidth, innerWidth } = (await page.evaluate(
          '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
        )) as { scrollWidth: number; innerWidth: number };
        expect(innerWidth).toBe(width);
        expect(scrollWidth).toBeLessThanOrEqual(width);

        // Chinese drawn with a real CJK font (Noto Sans SC through browser.ts), not boxes.
        expect(text).toContain('杭州示例科技有限公司，您好');
        expect(await fontsOf(page, 'p')).toContain('Noto Sans SC');

        // Accessible as a page (after the checks above: axe comes in as a script).
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await page.context().close();
      }
    }
  });
});
