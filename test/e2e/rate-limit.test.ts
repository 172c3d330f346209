import { describe, expect, it } from 'vitest';
import { cdkOutDir } from '../../scripts/local/synth.ts';
import { readTemplate } from '../../scripts/local/template.ts';
import { clientFor, sampleAddress, uniqueId } from '../support/api.ts';

describe('per-caller rate limit on writes (the WebACL rule, enforced by the local gateway)', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the limit; another caller and reads pass', async () => {
    // Prepare: the limit as synthesized (cdk.json invoice:writeRateLimit / writeRateWindowSeconds)
    const rule = readTemplate(cdkOutDir).rateLimits?.find((r) => r.name === 'writes-per-caller');
    expect(rule, 'the writes-per-caller rule in the template').toBeDefined();
    const { limit, windowSeconds } = rule!;
    const caller = await clientFor(uniqueId('busy'));
    const other = await clientFor(uniqueId('calm'));

    // Act: `limit` writes (refused by validation, but counted as the firewall counts them), then more
    const started = Date.now();
    const statuses: number[] = [];
    for (let sent = 0; sent < limit; sent += 20) {
      const batch = Array.from({ length: Math.min(20, limit - sent) }, () =>
        caller.post('/v1/addresses', {}),
      );
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    const burstMs = Date.now() - started;
    const limited = await caller.post('/v1/addresses', sampleAddress());
    const read = await caller.get('/v1/addresses');
    const otherWrite = await other.post('/v1/addresses', sampleAddress());

    // Assess
    expect(burstMs, 'the burst fits in one window').toBeLessThan(windowSeconds * 1000);
    expect(statuses).toEqual(Array.from({ length: limit }, () => 400));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe(String(windowSeconds));
    expect(limited.body).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: `More than ${limit} write requests in ${windowSeconds} seconds with this token; retry later.`,
      code: 'RATE_LIMITED',
    });
    expect(read.status).toBe(200);
    expect(read.body.items).toEqual([]);
    expect(otherWrite.status).toBe(201);
  });
});
