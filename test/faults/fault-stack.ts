/**
 * Shared parts of the whole-stack fault tests (test/faults, `npm run faults`): a local stack of
 * the file's own on disk (so a stopped service comes back with its state), customers applying
 * over HTTP, and the checks every fault must leave true.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { expectLedgerExact } from '../support/invariants.ts';
import { type OwnStack, order, ownId } from '../support/own-stack.ts';

export const ENTITIES = ['cn-bj-01', 'cn-sh-01'] as const;
const ISSUED_SUBJECT = '您的发票已开具';

export interface Accepted {
  accountId: string;
  email: string;
  applicationId: string;
}

/** A customer with orders at both entities and a title; applications of 100 fen each. */
export async function newCustomer(own: OwnStack) {
  const accountId = ownId('fault');
  await own.givenAccount(
    accountId,
    ENTITIES.map((entity) => order(ownId('o'), { entity, cashAmount: 100_000 })),
  );
  return { accountId, titleId: await own.givenTitle(accountId) };
}

/**
 * One application with a mailbox of its own. Returns it when accepted (201); any other answer
 * (a 5xx while a service is down) is not an accepted application and returns undefined.
 */
export async function applyOnce(
  own: OwnStack,
  customer: { accountId: string; titleId: string },
): Promise<Accepted | undefined> {
  const email = `${ownId('mail')}@example.com`;
  const created = await own
    .request(
      'POST',
      '/v1/applications',
      { accountId: customer.accountId },
      {
        mode: 'amount',
        amount: 100,
        titleId: customer.titleId,
        delivery: { medium: 'electronic', email },
      },
    )
    .catch(() => undefined);
  if (created?.status !== 201) return undefined;
  return { accountId: customer.accountId, email, applicationId: created.body.applicationId as string };
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const applicationItem = async (own: OwnStack, applicationId: string) =>
  (
    await own.documents.send(
      new GetCommand({
        TableName: own.tableName,
        Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
        ConsistentRead: true,
      }),
    )
  ).Item as Record<string, any> | undefined;

/** Waits until every accepted application is delivered and its execution has succeeded: none lost, none stuck. */
export async function allDelivered(own: OwnStack, accepted: Accepted[], ms: number) {
  const executionArn = (id: string) =>
    `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${id}`;
  for (const { applicationId } of accepted) {
    const execution = await until(
      async () => {
        const e = await own.sfn.send(
          new DescribeExecutionCommand({ executionArn: executionArn(applicationId) }),
        );
        return e.status !== 'RUNNING' ? e : undefined;
      },
      `execution ${applicationId} to finish`,
      ms,
    );
    expect(execution.status, applicationId).toBe('SUCCEEDED');
    expect((await applicationItem(own, applicationId))?.status, applicationId).toBe('delivered');
  }
}

/** Invariants 1, 2 and 3 (e-mails) over the whole table after a fault. */
export async function expectInvariants(own: OwnStack, accepted: Accepted[]) {
  // Invariant 1: every record adds up, nothing left reserved.
  const records = await own.itemsWithPrefix('ACCOUNT#');
  const ledger = records.filter((r) => String(r.sk).startsWith('RECORD#'));
  expect(ledger.length).toBeGreaterThan(0);
  expectLedgerExact(ledger);
  for (const r of ledger) expect(r.reservedAmount, r.recordId).toBe(0);

  // Invariant 2: per entity the numbers are 1..counter, none repeated, none skipped.
  const invoices = await own.itemsWithPrefix('INVOICE#');
  for (const entity of ENTITIES) {
    const sequences = invoices
      .filter((i) => i.entity === entity && i.sk === 'INVOICE')
      .map((i) => Number(String(i.invoiceNumber).slice(-12)))
      .sort((a, b) => a - b);
    const counter = await own.invoiceCounter(entity);
    expect(sequences, entity).toEqual(Array.from({ length: counter }, (_, i) => i + 1));
  }
  // Every accepted application was invoiced (one invoice of 100 fen), and nothing else was.
  expect(invoices.filter((i) => i.sk === 'INVOICE')).toHaveLength(accepted.length);

  // Invariant 3 for e-mails: each customer's issued notice exactly once.
  for (const { email, applicationId } of accepted) {
    const mails = await own.mailTo(email);
    expect(
      mails.filter((m) => m.subject.startsWith(ISSUED_SUBJECT)),
      applicationId,
    ).toHaveLength(1);
    expect(mails, applicationId).toHaveLength(1);
  }
}
