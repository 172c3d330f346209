import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApiGateway, startApiGateway } from '../../scripts/local/api-gateway.ts';
import { LOCAL_ISSUER } from '../../scripts/local/jwt.ts';
import type { LambdaRuntime } from '../../scripts/local/types.ts';

const secret = new Uint8Array(randomBytes(32));
const lambda: LambdaRuntime = {
  async invoke() {
    return { statusCode: 200, body: '{"ok":true}' };
  },
} as unknown as LambdaRuntime;

let dir: string;
let withConsole: LocalApiGateway;
let withoutSignIn: LocalApiGateway;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, '..', 'outside-console.txt'), 'not served');
  const routes = [{ method: 'GET', path: '/v1/account', functionLogicalId: 'Account', requiresAuth: false }];
  withConsole = await startApiGateway({
    port: 0,
    routes,
    lambda,
    jwtSecret: secret,
    consoleDir: dir,
    localSignIn: true,
    quiet: true,
  });
  withoutSignIn = await startApiGateway({
    port: 0,
    routes,
    lambda,
    jwtSecret: secret,
    consoleDir: dir,
    quiet: true,
  });
});

afterAll(async () => {
  await withConsole.close();
  await withoutSignIn.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(dir, '..', 'outside-console.txt'), { force: true });
});

/** A raw request, so `..` reaches the server as sent (fetch would normalize it). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local gateway serving the console', () => {
  it('serves index.html at / with the security headers CloudFront adds', async () => {
    const response = await fetch(`${withConsole.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(await response.text()).toContain('<title>console</title>');
  });

  it('answers every page path of the app with index.html, and assets as files', async () => {
    const page = await fetch(`${withConsole.url}/applications/app_123`);
    expect(await page.text()).toContain('<title>console</title>');
    const asset = await fetch(`${withConsole.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const missing = await fetch(`${withConsole.url}/assets/gone.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never serves a file outside the console directory', async () => {
    for (const path of [
      '/../outside-console.txt',
      '/%2e%2e/outside-console.txt',
      '/assets/..%2f..%2foutside-console.txt',
    ]) {
      const response = await rawGet(withConsole.url, path);
      expect(response.body).not.toContain('not served');
    }
  });

  it('leaves /v1 to the API and says the sign-in is local', async () => {
    expect(await (await fetch(`${withConsole.url}/v1/account`)).json()).toEqual({ ok: true });
    const unknown = await fetch(`${withConsole.url}/v1/nothing`);
    expect(unknown.status).toBe(404);
    expect(await (await fetch(`${withConsole.url}/console-config.json`)).json()).toEqual({ signIn: 'local' });
  });
});

describe('the local sign-in endpoint', () => {
  const signIn = (url: string, body: unknown) =>
    fetch(`${url}/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('signs an ID token for the account and groups the local API accepts', async () => {
    const response = await signIn(withConsole.url, { accountId: 'acct-1', groups: ['finance'] });
    expect(response.status).toBe(200);
    const { idToken } = (await response.json()) as { idToken: string };
    const { payload } = await jwtVerify(idToken, secret, { issuer: LOCAL_ISSUER });
    expect(payload['custom:accountId']).toBe('acct-1');
    expect(payload['cognito:groups']).toEqual(['finance']);
  });

  it('refuses a bad account id or an unknown group with problem+json naming the field', async () => {
    const response = await signIn(withConsole.url, { accountId: 'no spaces', groups: ['root'] });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.path)).toEqual(['body.accountId', 'body.groups']);
  });

  it('does not exist unless the gateway is started with it', async () => {
    const response = await signIn(withoutSignIn.url, { accountId: 'acct-1', groups: [] });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('idToken');
  });
});
