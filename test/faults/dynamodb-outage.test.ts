import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnStack, startOwnStack } from '../support/own-stack.ts';
import { type Accepted, allDelivered, applyOnce, expectInvariants, newCustomer } from './fault-stack.ts';

/**
 * DynamoDB Local stopped for 10 s in the middle of a stream of applications, then started
 * again on its files. Requests during the outage may fail (a 5xx is not an acceptance); every
 * application that was accepted must still be delivered, numbered and mailed exactly once —
 * the workflow's Lambdas retry (2 s, 4 s, 8 s, 16 s) past the outage, the stream pollers resume.
 */
const OUTAGE_MS = 10_000;
let own: OwnStack;
beforeAll(async () => {
  own = await startOwnStack({ onDisk: true, functionEnv: { CANCEL_WINDOW: 'PT3S' } });
}, 300_000);
afterAll(async () => {
  await own?.stop();
});

it('DynamoDB down for 10 s during a stream of applications: none accepted is lost, stuck or doubled', async () => {
  // Prepare
  const customers = await Promise.all([newCustomer(own), newCustomer(own), newCustomer(own)]);
  const accepted: Accepted[] = [];
  let refused = 0;
  let streaming = true;
  const stream = (async () => {
    for (let i = 0; streaming; i++) {
      const a = await applyOnce(own, customers[i % customers.length]!);
      if (a) accepted.push(a);
      else refused++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  // Act: after some applications went through, the database goes away for 10 s
  while (accepted.length < 5) await new Promise((r) => setTimeout(r, 100));
  const outage = await own.stack.interrupt('dynamodb');
  const before = accepted.length;
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  await outage.restart();
  const during = accepted.length - before;
  const afterRestart = accepted.length;
  while (accepted.length < afterRestart + 5) await new Promise((r) => setTimeout(r, 100));
  streaming = false;
  await stream;

  // Assess
  expect(refused).toBeGreaterThan(0); // the outage was real
  console.info(`accepted ${accepted.length}, refused ${refused}, accepted during the outage ${during}`);
  await allDelivered(own, accepted, 180_000);
  await expectInvariants(own, accepted);
}, 420_000);
