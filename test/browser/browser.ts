import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/**
 * A fontconfig file adding the Noto Sans SC the PDFs are rendered with (an npm dependency), so
 * Chinese text has glyphs in the browser (screenshots) without a system CJK font package.
 */
function fontConfig(): string {
  const fonts = dirname(
    createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/package.json'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'chromium-fonts-'));
  const file = join(dir, 'fonts.conf');
  writeFileSync(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' +
      `  <dir>${fonts}/400Regular</dir>\n  <dir>${fonts}/700Bold</dir>\n` +
      `  <cachedir>${dir}/cache</cachedir>\n</fontconfig>\n`,
  );
  return file;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    env: { ...process.env, FONTCONFIG_FILE: fontConfig() },
    // Root in a container has no user namespaces for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A new page signed in through the console's local sign-in page, in Chinese (the default). */
export async function signedIn(
  browser: Browser,
  accountId: string,
  role: '客户' | '财务人员' | '企业管理员' = '客户',
  options: { bypassCSP?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York', ...options });
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

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The page's context must
 * bypass the CSP: axe is injected as an inline script, which the console's CSP refuses.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.addScriptTag({ content: source });
  return page.evaluate(`
    window.axe.run(document).then((result) =>
      result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })),
    )
  `);
}
