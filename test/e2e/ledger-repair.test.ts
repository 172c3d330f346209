import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, order, uniqueId } from '../support/api.ts';
import { documents } from '../support/aws.ts';
import { useFunctionEnvironment } from '../support/in-process.ts';

/** npm run ledger:repair's check and fix (shared/use-cases/ledger-repair.ts) against the stack's table. */
let checkLedger: typeof import('#use-cases/ledger-repair').checkLedger;

beforeAll(async () => {
  useFunctionEnvironment();
  ({ checkLedger } = await import('#use-cases/ledger-repair'));
});

describe('ledger repair', () => {
  it('finds aggregates that are not what the records give, fixes them, and then finds nothing', async () => {
    // Prepare: a ledger kept by the API, then its main aggregate item changed behind its back.
    const accountId = uniqueId('acct');
    await givenAccount(accountId, {
      records: [order('a', { cashAmount: 3_000 }), order('b', { cashAmount: 2_000, taxRate: '0.13' })],
    });
    const client = await clientFor(accountId);
    const before = (await client.get('/v1/invoiceable')).body;
    const clean = await checkLedger(accountId, new Date(), false);
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'LEDGER' },
        UpdateExpression: 'ADD consumedCash :x',
        ExpressionAttributeValues: { ':x': 700 },
      }),
    );
    const tampered = (await client.get('/v1/invoiceable')).body;

    // Act
    const found = await checkLedger(accountId, new Date(), false);
    const fixed = await checkLedger(accountId, new Date(), true);
    const after = await checkLedger(accountId, new Date(), false);

    // Assess
    expect(clean.drift).toEqual([]);
    expect(clean.records).toBe(2);
    expect(tampered.amount).toBe(before.amount + 700);
    expect(found.drift).toEqual([{ location: 'MAIN', part: 'consumedCash', stored: 5_700, expected: 5_000 }]);
    expect(fixed.fixed).toBe(true);
    expect(after.drift).toEqual([]);
    expect(after.unlistedExceptions).toEqual([]);
    expect((await client.get('/v1/invoiceable')).body).toEqual(before);
  });
});
