/**
 * State transitions per electronic-invoice lifecycle (budget ≤ 12, DESIGN.md: cost per invoice
 * is dominated by transitions, $0.025 per 1,000). Runs applications end to end on an in-memory
 * local stack executing the synthesized definition, and counts the `*StateEntered` events of
 * each execution's history (GetExecutionHistory): each one is a billed transition.
 */
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type OwnStack, order, ownId, startOwnStack } from '../test/support/own-stack.ts';

const BUDGET = 12;

export async function benchTransitions(count = Number(process.env.BENCH_APPLICATIONS ?? 20)): Promise<void> {
  const own = await startOwnStack({ stepFunctions: { retryIntervalOverrides: { '*': 100 } } });
  try {
    const byRule = await Promise.all(Array.from({ length: count }, () => lifecycle(own, false)));
    const reviewed = await Promise.all(
      Array.from({ length: Math.max(1, Math.floor(count / 4)) }, () => lifecycle(own, true)),
    );
    console.log(`state transitions per electronic lifecycle (budget ${BUDGET}), from GetExecutionHistory`);
    report('approved by rule', byRule);
    report('reviewed by finance', reviewed);
  } finally {
    await own.stop();
  }
}

function report(label: string, counts: number[]): void {
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const avg = counts.reduce((a, b) => a + b, 0) / counts.length;
  const flag = max > BUDGET ? '  over budget' : '  within budget';
  console.log(
    `${label.padEnd(22)} n=${String(counts.length).padStart(3)}  min ${min}  avg ${avg.toFixed(1)}  max ${max}  (budget ${BUDGET})${flag}`,
  );
}

/** One electronic application, two invoices (two entities), to the end; returns its transitions. */
async function lifecycle(own: OwnStack, review: boolean): Promise<number> {
  const accountId = ownId('bench');
  const customer = { accountId };
  const scale = review ? 5_000 : 1; // above the review threshold when reviewed
  await own.givenAccount(accountId, [
    order(ownId('o'), { cashAmount: 3_000 * scale }),
    order(ownId('o'), { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 2_000 * scale }),
  ]);
  const titleId = await own.givenTitle(accountId);
  const created = await own.request('POST', '/v1/applications', customer, {
    mode: 'amount',
    amount: 5_000 * scale,
    titleId,
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
  });
  if (created.status !== 201)
    throw new Error(`apply failed: ${created.status} ${JSON.stringify(created.body)}`);
  const applicationId = created.body.applicationId as string;
  if (review) {
    await poll(async () => {
      const { Item } = await own.documents.send(
        new GetCommand({
          TableName: own.tableName,
          Key: { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' },
          ConsistentRead: true,
        }),
      );
      return Item?.status === 'in-review' ? true : undefined;
    });
    const decided = await own.request(
      'POST',
      `/v1/admin/applications/${applicationId}/decision`,
      { accountId: 'finance', groups: ['finance'] },
      { approve: true },
    );
    if (decided.status !== 200) throw new Error(`decision failed: ${decided.status}`);
  }
  const executionArn = `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${applicationId}`;
  const execution = await own.stack.stepFunctions.waitForExecution(executionArn, 60_000);
  if (execution.status !== 'SUCCEEDED') throw new Error(`execution ${applicationId} ${execution.status}`);
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await own.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events.filter((e) => e.type?.endsWith('StateEntered')).length;
}

async function poll(probe: () => Promise<true | undefined>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await probe()) === undefined) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchTransitions();
