/**
 * A local stack of a test file's (or benchmark's) own, for tests that must reach inside it:
 * wrap the Lambda runtime to inject faults, invoke a function directly, read every table item.
 * It runs the same synthesized template as the shared stack, on in-memory DynamoDB and S3.
 * Costs a JVM: use it only where the shared stack (test/support/api.ts) cannot do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../scripts/local/stack.ts';
import { cdkOutDir, synthesizeIfStale } from '../../scripts/local/synth.ts';
import { type ApiResponse, httpClient, sentMail, upsertAccount } from './http.ts';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export type OwnResponse = ApiResponse;

export interface OwnStack {
  stack: LocalStack;
  tableName: string;
  documents: DynamoDBDocumentClient;
  sfn: SFNClient;
  /** Logical id of the function behind a Task state of the state machine. */
  taskFunction(state: string): string;
  /** Logical id of the function whose logical id starts with the prefix. */
  functionNamed(prefix: string): string;
  request(
    method: string,
    path: string,
    who: { accountId: string; groups?: string[] },
    body?: unknown,
  ): Promise<OwnResponse>;
  /** A verified mainland enterprise account with the records, through the billing-system API. */
  givenAccount(accountId: string, records: Record<string, unknown>[], language?: 'zh' | 'en'): Promise<void>;
  /** An enterprise ordinary title of the account (approved at once), with any fields added; its id. */
  givenTitle(accountId: string, fields?: Record<string, unknown>): Promise<string>;
  mailTo(address: string): Promise<SesStoredEmail[]>;
  /** Every item of the table whose pk starts with the prefix (test-only scan). */
  itemsWithPrefix(prefix: string): Promise<Record<string, any>[]>;
  recordsOf(accountId: string): Promise<Record<string, any>[]>;
  /** The last invoice number's sequence an entity gave out (invariant 2), read strongly consistent. */
  invoiceCounter(entity: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startOwnStack(
  options: Pick<LocalStackOptions, 'functionEnv' | 'stepFunctions'> & {
    /** DynamoDB, S3 and Step Functions on disk (a fresh temporary folder), so they survive `stack.interrupt`. */
    onDisk?: boolean;
  } = {},
): Promise<OwnStack> {
  await synthesizeIfStale(() => {}).done;
  const dataDir = mkdtempSync(join(tmpdir(), 'invoice-own-stack-'));
  const stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: !options.onDisk,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    functionEnv: { CANCEL_WINDOW: 'PT2S', ...options.functionEnv },
    stepFunctions: options.stepFunctions,
    quiet: true,
  });
  const tableName = stack.template.tables[0]!.tableName;
  const machine = stack.template.stateMachines[0]!;
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...local, endpoint: stack.dynamodbEndpoint }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const sfn = new SFNClient({ ...local, endpoint: stack.sfnEndpoint });

  const request: OwnStack['request'] = async (method, path, who, body) => {
    const token = await signLocalToken(stack.jwtSecret, { accountId: who.accountId, groups: who.groups });
    return httpClient(stack.apiUrl, token).request(method, path, body);
  };
  const givenAccount: OwnStack['givenAccount'] = async (accountId, records) => {
    const token = await signLocalToken(stack.jwtSecret, {
      accountId: 'billing-system',
      groups: ['billing-system'],
    });
    await upsertAccount(httpClient(stack.apiUrl, token), accountId, { records });
  };

  /** Every item of a paginated read (test-only: the table is small). */
  const all = async (pages: AsyncIterable<{ Items?: Record<string, any>[] }>) => {
    const items: Record<string, any>[] = [];
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  };
  const query = (pk: string) =>
    all(
      paginateQuery(
        { client: documents },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
        },
      ),
    );

  return {
    stack,
    tableName,
    documents,
    sfn,
    taskFunction(state) {
      const id = machine.taskFunctions[state];
      if (!id) throw new Error(`No Task state ${state}`);
      return id;
    },
    functionNamed(prefix) {
      const fn = stack.template.functions.find((f) => f.logicalId.startsWith(prefix));
      if (!fn) throw new Error(`No function ${prefix}*`);
      return fn.logicalId;
    },
    request,
    givenAccount,
    async givenTitle(accountId, fields = {}) {
      const title = await request(
        'POST',
        '/v1/titles',
        { accountId },
        {
          type: 'enterprise-ordinary',
          name: '杭州示例科技有限公司',
          taxId: '91330106MA2H00006X',
          ...fields,
        },
      );
      if (title.status !== 201)
        throw new Error(`title not created: ${title.status} ${JSON.stringify(title.body)}`);
      return title.body.titleId as string;
    },
    mailTo: (address) => sentMail(stack.sesUrl, address),
    itemsWithPrefix: (prefix) =>
      all(
        paginateScan(
          { client: documents },
          {
            TableName: tableName,
            FilterExpression: 'begins_with(pk, :p)',
            ExpressionAttributeValues: { ':p': prefix },
            ConsistentRead: true,
          },
        ),
      ),
    async recordsOf(accountId) {
      return (await query(`ACCOUNT#${accountId}`)).filter((i) => String(i.sk).startsWith('RECORD#'));
    },
    async invoiceCounter(entity) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `COUNTER#INVOICE_NUMBER#${entity}`, sk: 'COUNTER' },
          ConsistentRead: true,
        }),
      );
      return Item?.sequence as number;
    },
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { order, uniqueId as ownId } from './http.ts';
