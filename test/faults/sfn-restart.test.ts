import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnStack, startOwnStack } from '../support/own-stack.ts';
import {
  type Accepted,
  allDelivered,
  applicationItem,
  applyOnce,
  expectInvariants,
  newCustomer,
} from './fault-stack.ts';

/**
 * The Step Functions server restarted while executions wait in their cancellation window: the
 * restarted server replays every execution that was running from its start (with its input),
 * so each one must still issue once, number once and mail once.
 */
let own: OwnStack;
beforeAll(async () => {
  own = await startOwnStack({ onDisk: true, functionEnv: { CANCEL_WINDOW: 'PT15S' } });
}, 300_000);
afterAll(async () => {
  await own?.stop();
});

it('a Step Functions restart with executions waiting: each accepted application is delivered once', async () => {
  // Prepare: applications accepted and waiting in their cancellation window
  const customers = await Promise.all([newCustomer(own), newCustomer(own)]);
  const accepted: Accepted[] = [];
  for (let i = 0; i < 6; i++) {
    const a = await applyOnce(own, customers[i % 2]!);
    expect(a).toBeDefined();
    accepted.push(a!);
  }
  for (const { applicationId } of accepted) {
    expect((await applicationItem(own, applicationId))?.status).toBe('submitted');
  }

  // Act: the server goes away and comes back on the same port
  const outage = await own.stack.interrupt('sfn');
  await outage.restart();

  // Assess
  await allDelivered(own, accepted, 120_000);
  await expectInvariants(own, accepted);
}, 300_000);
