import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import '../support/stack-context.ts';

/**
 * Debian's chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core.
 * CHROMIUM_PATH overrides the location. Missing, the browser tests fail: they are part of npm test.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find(
    (path): path is string => path !== undefined && path !== '' && existsSync(path),
  );
  if (found === undefined) {
    throw new Error('No Chromium found: install Debian\'s "chromium" package or set CHROMIUM_PATH');
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespaces for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A new page signed in through the console's local sign-in page, in Chinese (the default). */
export async function signedIn(
  browser: Browser,
  accountId: string,
  role: '客户' | '财务人员' = '客户',
): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${inject('apiUrl')}/sign-in`);
  await page.getByLabel('账号 ID').fill(accountId);
  await page.getByLabel(role).check();
  await page
    .getByRole('button', { name: '登 录' })
    .or(page.getByRole('button', { name: '登录' }))
    .click();
  await page.getByTestId('signed-in-as').filter({ hasText: accountId }).waitFor();
  return page;
}

/** Chooses an option of the Ant Design select labelled `label`. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByLabel(label).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option })
    .first()
    .click();
}

/** Clicks what starts a download and returns the downloaded bytes. */
export async function downloadOf(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

/**
 * Goes to a path inside the app without reloading it: the token lives in memory only, so a
 * reload (page.goto) signs out, as it does for a person.
 */
export async function navigateInApp(page: Page, path: string): Promise<void> {
  // A string, evaluated in the page: these tests are compiled without the DOM's types.
  await page.evaluate(
    `window.history.pushState({}, '', ${JSON.stringify(path)}); window.dispatchEvent(new PopStateEvent('popstate'))`,
  );
}
