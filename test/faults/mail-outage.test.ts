import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnStack, startOwnStack } from '../support/own-stack.ts';
import {
  type Accepted,
  allDelivered,
  applicationItem,
  applyOnce,
  expectInvariants,
  newCustomer,
  until,
} from './fault-stack.ts';

/**
 * The mail server (SES) down while applications are being issued, and for a full minute after
 * the last one was issued (its delivery already failing): the invoices are issued, delivery
 * retries (2 s doubling, six times) until the mail server is back, and each customer gets the
 * issued e-mail once.
 */
const OUTAGE_MS = 60_000;
let own: OwnStack;
beforeAll(async () => {
  own = await startOwnStack({ onDisk: true, functionEnv: { CANCEL_WINDOW: 'PT2S' } });
}, 300_000);
afterAll(async () => {
  await own?.stop();
});

it('SES down for a minute during issuing: every accepted application is delivered, each e-mail once', async () => {
  // Prepare
  const customers = await Promise.all([newCustomer(own), newCustomer(own)]);
  const outage = await own.stack.interrupt('ses');

  // Act: applications go through issuing while the mail server is down, then it comes back
  const accepted: Accepted[] = [];
  for (let i = 0; i < 6; i++) {
    const a = await applyOnce(own, customers[i % 2]!);
    expect(a).toBeDefined();
    accepted.push(a!);
  }
  await until(
    async () => {
      for (const { applicationId } of accepted) {
        const item = await applicationItem(own, applicationId);
        if (item?.status !== 'issued') return undefined;
      }
      return true;
    },
    'every application to be issued',
    OUTAGE_MS,
  );
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  // The outage held delivery back: every invoice issued, none delivered (no e-mail went out).
  for (const { applicationId } of accepted) {
    expect((await applicationItem(own, applicationId))?.status, applicationId).toBe('issued');
  }
  await outage.restart();

  // Assess
  await allDelivered(own, accepted, 180_000);
  await expectInvariants(own, accepted);
}, 420_000);
