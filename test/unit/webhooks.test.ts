import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '#domain/domain-events';
import {
  deliveryIdFor,
  isAllowedAddress,
  MAX_RETRY_DELAY_MS,
  nextAttemptAt,
  RETRY_WINDOW_MS,
  recipients,
  shouldDisable,
  signatureHeader,
  signingSecrets,
  urlProblem,
  verifySignature,
  type Webhook,
} from '#domain/webhooks';

const webhook = (overrides: Partial<Webhook> = {}): Webhook => ({
  accountId: 'acct-1',
  webhookId: 'whk_1',
  url: 'https://hooks.example.com/in',
  events: ['*'],
  enabled: true,
  secret: 'whsec_current',
  consecutiveFailures: 0,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...overrides,
});

const event = (overrides: Partial<DomainEvent> = {}): DomainEvent =>
  ({
    id: 'evt-1',
    type: 'invoice.issued',
    version: 1,
    occurredAt: '2026-12-01T08:00:00.000Z',
    accountId: 'acct-1',
    data: {
      invoiceId: 'inv_1',
      invoiceNumber: '26110000000000000001',
      applicationId: 'app_1',
      amount: 10_600,
    },
    ...overrides,
  }) as DomainEvent;

describe('webhook signature', () => {
  const body = JSON.stringify(event());
  const now = 1_796_000_000;

  it('is v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>, as docs/webhooks.md writes it', () => {
    const expected = createHmac('sha256', 'whsec_current').update(`${now}.${body}`).digest('hex');
    expect(signatureHeader(['whsec_current'], now, body)).toBe(`v1=${expected}`);
  });

  it('verifies with the secret, and not with a changed body, another secret or an old timestamp', () => {
    const signature = signatureHeader(['whsec_current'], now, body);
    const check = (o: Partial<Parameters<typeof verifySignature>[0]>) =>
      verifySignature({
        secret: 'whsec_current',
        body,
        timestamp: String(now),
        signature,
        nowSeconds: now,
        ...o,
      });
    expect(check({})).toBe(true);
    expect(check({ body: body.replace('inv_1', 'inv_2') })).toBe(false);
    expect(check({ secret: 'whsec_other' })).toBe(false);
    expect(check({ nowSeconds: now + 301 })).toBe(false);
    expect(check({ timestamp: String(now + 1) })).toBe(false);
  });

  it('carries both secrets during a rotation’s overlap, then only the new one', () => {
    const rotated = webhook({
      secret: 'whsec_new',
      previousSecret: 'whsec_old',
      previousSecretExpiresAt: '2026-12-02T00:00:00.000Z',
    });
    const during = signingSecrets(rotated, new Date('2026-12-01T12:00:00Z'));
    expect(during).toEqual(['whsec_new', 'whsec_old']);
    const header = signatureHeader(during, now, body);
    for (const secret of ['whsec_new', 'whsec_old'])
      expect(
        verifySignature({ secret, body, timestamp: String(now), signature: header, nowSeconds: now }),
      ).toBe(true);
    expect(signingSecrets(rotated, new Date('2026-12-02T00:00:01Z'))).toEqual(['whsec_new']);
  });
});

describe('webhook recipients', () => {
  it('are the event’s own account’s enabled endpoints subscribed to its type', () => {
    const hooks = [
      webhook({ webhookId: 'all' }),
      webhook({ webhookId: 'issued', events: ['invoice.issued'] }),
      webhook({ webhookId: 'other-type', events: ['title.approved'] }),
      webhook({ webhookId: 'off', enabled: false }),
      webhook({ webhookId: 'other-account', accountId: 'acct-2' }),
    ];
    expect(recipients(event(), hooks).map((h) => h.webhookId)).toEqual(['all', 'issued']);
  });

  it('are nobody for an event without an account (the monthly run)', () => {
    expect(recipients(event({ accountId: undefined, type: 'monthly-run.completed' }), [webhook()])).toEqual(
      [],
    );
  });

  it('get one delivery id per event and endpoint, the same for a duplicated event', () => {
    expect(deliveryIdFor(event(), 'whk_1')).toBe(deliveryIdFor(event(), 'whk_1'));
    expect(deliveryIdFor(event(), 'whk_1')).not.toBe(deliveryIdFor(event(), 'whk_2'));
    expect(deliveryIdFor(event(), 'whk_1')).toMatch(/^dlv_[0-9a-z]{9}[0-9a-f]{20}$/);
  });
});

describe('webhook retries', () => {
  const first = new Date('2026-12-01T00:00:00Z');

  it('back off exponentially from the base delay, at most an hour apart', () => {
    const delays = [1, 2, 3, 4, 8, 12].map(
      (n) => nextAttemptAt(first, n, first, 30_000)!.getTime() - first.getTime(),
    );
    expect(delays).toEqual(
      [30_000, 60_000, 120_000, 240_000, 3_840_000, MAX_RETRY_DELAY_MS].map((d) =>
        Math.min(d, MAX_RETRY_DELAY_MS),
      ),
    );
  });

  it('stop 24 hours after the first attempt', () => {
    const late = new Date(first.getTime() + RETRY_WINDOW_MS - 10_000);
    expect(nextAttemptAt(first, 30, late, 30_000)).toBeUndefined();
    expect(nextAttemptAt(first, 1, late, 5_000)).toBeDefined();
  });

  it('disable an endpoint after N failures in a row, or 24 hours of failures', () => {
    const now = new Date('2026-12-02T00:00:00Z');
    expect(shouldDisable({ consecutiveFailures: 2 }, now, 3)).toBeUndefined();
    expect(shouldDisable({ consecutiveFailures: 3 }, now, 3)).toMatch(/3 consecutive/);
    expect(shouldDisable({ consecutiveFailures: 1, failingSince: '2026-12-01T00:00:00Z' }, now, 100)).toMatch(
      /24 hours/,
    );
  });
});

describe('webhook addresses (server-side request forgery)', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    'ff02::1',
  ])('refuses %s', (address) => {
    expect(isAllowedAddress(address, false)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'])('allows %s', (address) => {
    expect(isAllowedAddress(address, false)).toBe(true);
  });

  it('allows loopback, and only loopback, where the local stack allows it', () => {
    expect(isAllowedAddress('127.0.0.1', true)).toBe(true);
    expect(isAllowedAddress('::1', true)).toBe(true);
    expect(isAllowedAddress('10.0.0.1', true)).toBe(false);
    expect(isAllowedAddress('169.254.169.254', true)).toBe(false);
  });

  it('wants https, no credentials and a public host name', () => {
    const problem = (url: string, loopback = false) => urlProblem(new URL(url), loopback);
    expect(problem('https://hooks.example.com/in')).toBeUndefined();
    expect(problem('http://hooks.example.com/in')).toBe('must use https');
    expect(problem('ftp://hooks.example.com/in')).toBe('must use https');
    expect(problem('https://user:pw@hooks.example.com/in')).toMatch(/user name/);
    expect(problem('https://localhost/in')).toMatch(/public host/);
    expect(problem('https://intranet/in')).toMatch(/public host/);
    expect(problem('https://10.0.0.5/in')).toMatch(/private/);
    expect(problem('https://[::1]/in')).toMatch(/private/);
    expect(problem('http://127.0.0.1:8080/in')).toBe('must use https');
    expect(problem('http://127.0.0.1:8080/in', true)).toBeUndefined();
    expect(problem('http://10.0.0.5/in', true)).toBe('must use https');
  });
});

describe('the notice mail’s request signing (AWS Signature Version 4)', () => {
  it('gives the signature of AWS’s published get-vanilla example', async () => {
    const { signV4 } = await import('#adapters/notice-mail');
    const headers = signV4({
      method: 'GET',
      host: 'example.amazonaws.com',
      path: '/',
      headers: {},
      body: '',
      service: 'service',
      region: 'us-east-1',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      now: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});
