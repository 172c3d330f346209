import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { waitFor } from './api.ts';
import './stack-context.ts';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export const documents = () =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: inject('dynamodbEndpoint') }), {
    marshallOptions: { removeUndefinedValues: true },
  });

export const sfn = () => new SFNClient({ ...local, endpoint: inject('sfnEndpoint') });

/** Executions are named after the application (see shared/adapters/workflow-client.ts). */
export function executionArnOf(name: string): string {
  return `${inject('stateMachineArn').replace(':stateMachine:', ':execution:')}:${name}`;
}

export async function finishedExecution(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  const client = sfn();
  return waitFor(async () => {
    const execution = await client
      .send(new DescribeExecutionCommand({ executionArn }))
      .catch(() => undefined);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  }, `execution ${executionArn} to finish`);
}

export async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn().send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The states an execution entered, in order: each is one state transition. */
export function statesEntered(events: HistoryEvent[]): string[] {
  return events
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map(
      (e) => (e as { stateEnteredEventDetails?: { name?: string } }).stateEnteredEventDetails?.name ?? '?',
    );
}
