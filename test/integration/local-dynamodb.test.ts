import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTables,
  type LocalDynamoDb,
  schemaDifferences,
  startDynamoDb,
} from '../../scripts/local/dynamodb.ts';
import type { LocalTable } from '../../scripts/local/types.ts';

const table: LocalTable = {
  logicalId: 'LedgerTable',
  tableName: 'local-ledger',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
  ],
  globalSecondaryIndexes: [
    {
      IndexName: 'gsi1',
      KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  ttlAttribute: 'expiresAt',
};

/** Java processes running DynamoDB Local right now (other engineers' stacks may have some too). */
function dynamoDbLocalPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'DynamoDBLocal'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function documentClient(endpoint: string, accessKeyId = 'local'): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: 'local' },
    }),
  );
}

describe('local DynamoDB (in memory)', () => {
  let db: LocalDynamoDb;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    db = await startDynamoDb({ port: 0, tables: [table] });
    client = documentClient(db.endpoint);
    console.log(
      `DynamoDB Local ready in ${Math.round(db.timings.readyMs)} ms, tables in ${Math.round(db.timings.tablesMs)} ms`,
    );
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await db?.close();
  });

  it('creates the table from the template with its GSI and TTL', async () => {
    const raw = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: 'local-ledger' }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['gsi1']);
    const { TimeToLiveDescription } = await raw.send(
      new DescribeTimeToLiveCommand({ TableName: 'local-ledger' }),
    );
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    raw.destroy();
  });

  // DynamoDB Local 3 accepts only letters and digits in access key ids.
  it('puts and gets, and shares data across credentials (sharedDb)', async () => {
    await client.send(
      new PutCommand({ TableName: 'local-ledger', Item: { pk: 'a#1', sk: 'r#1', gsi1pk: 'x', amount: 100 } }),
    );
    const other = documentClient(db.endpoint, 'someoneElse');
    const { Item } = await other.send(
      new GetCommand({ TableName: 'local-ledger', Key: { pk: 'a#1', sk: 'r#1' } }),
    );
    expect(Item).toEqual({ pk: 'a#1', sk: 'r#1', gsi1pk: 'x', amount: 100 });
    const { Items } = await other.send(
      new QueryCommand({
        TableName: 'local-ledger',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :x',
        ExpressionAttributeValues: { ':x': 'x' },
      }),
    );
    expect(Items).toHaveLength(1);
    other.destroy();
  });

  it('runs TransactWriteItems atomically, cancelling all on a failed condition', async () => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'local-ledger', Item: { pk: 'a#2', sk: 'r#1', reserved: 0 } } },
          { Put: { TableName: 'local-ledger', Item: { pk: 'a#2', sk: 'r#2', reserved: 0 } } },
        ],
      }),
    );
    const failing = client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: 'local-ledger',
              Key: { pk: 'a#2', sk: 'r#1' },
              UpdateExpression: 'SET reserved = reserved + :n',
              ExpressionAttributeValues: { ':n': 10 },
            },
          },
          {
            ConditionCheck: {
              TableName: 'local-ledger',
              Key: { pk: 'a#2', sk: 'r#2' },
              ConditionExpression: 'reserved > :zero',
              ExpressionAttributeValues: { ':zero': 0 },
            },
          },
        ],
      }),
    );
    await expect(failing).rejects.toBeInstanceOf(TransactionCanceledException);
    const { Item } = await client.send(
      new GetCommand({ TableName: 'local-ledger', Key: { pk: 'a#2', sk: 'r#1' } }),
    );
    expect(Item?.reserved).toBe(0);
  });

  it('leaves no Java process behind after close (and close twice is fine)', async () => {
    const { pid } = db;
    expect(dynamoDbLocalPids()).toContain(pid);
    await db.close();
    await db.close();
    expect(dynamoDbLocalPids()).not.toContain(pid);
    await expect(fetch(db.endpoint)).rejects.toThrow();
  });
});

describe('local DynamoDB (persistent)', () => {
  it('keeps data across restarts, and refuses a table whose indexes the template changed, naming --fresh', {
    timeout: 150_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-ddb-'));
    const withoutGsi: LocalTable = {
      ...table,
      attributeDefinitions: table.attributeDefinitions.filter((a) => a.AttributeName !== 'gsi1pk'),
      globalSecondaryIndexes: [],
    };
    try {
      // Two JVM starts while the other test projects load the machine: give each more than the default 30 s.
      const first = await startDynamoDb({ port: 0, dataDir, tables: [table], startTimeoutMs: 60_000 });
      const c1 = documentClient(first.endpoint);
      await c1.send(new PutCommand({ TableName: 'local-ledger', Item: { pk: 'p', sk: 's', gsi1pk: 'g' } }));
      c1.destroy();
      await first.close();

      const second = await startDynamoDb({ port: 0, dataDir, tables: [table], startTimeoutMs: 60_000 });
      const c2 = documentClient(second.endpoint);
      const { Item } = await c2.send(
        new GetCommand({ TableName: 'local-ledger', Key: { pk: 'p', sk: 's' } }),
      );
      expect(Item).toEqual({ pk: 'p', sk: 's', gsi1pk: 'g' });
      const { Items } = await c2.send(
        new QueryCommand({
          TableName: 'local-ledger',
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :g',
          ExpressionAttributeValues: { ':g': 'g' },
        }),
      );
      expect(Items).toHaveLength(1);
      // A template that lost (or gained) an index: the persisted table is refused as it stands
      // (startDynamoDb checks its tables the same way, and stops its JVM on the error).
      await expect(createTables(second.endpoint, [withoutGsi])).rejects.toThrow(
        /table local-ledger .*global secondary indexes gsi1 \(gsi1pk:HASH; ALL\), the template has none.*npm start -- --fresh/s,
      );
      const { Items: still } = await c2.send(
        new QueryCommand({
          TableName: 'local-ledger',
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :g',
          ExpressionAttributeValues: { ':g': 'g' },
        }),
      );
      expect(still).toHaveLength(1);
      c2.destroy();
      await second.close();
      expect(dynamoDbLocalPids()).not.toContain(second.pid);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('schemaDifferences', () => {
  const persisted = {
    KeySchema: table.keySchema,
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };

  it('finds none when keys and indexes match the template', () => {
    expect(schemaDifferences(persisted, table)).toEqual([]);
  });

  it('names changed keys, a missing or changed index, and a new local index', () => {
    expect(
      schemaDifferences(persisted, { ...table, keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    ).toEqual(['keys pk:HASH,sk:RANGE, the template has pk:HASH']);
    expect(
      schemaDifferences(persisted, {
        ...table,
        globalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: 'gsi2',
            KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    ).toEqual([
      'global secondary indexes gsi1 (gsi1pk:HASH; ALL), the template has gsi1 (gsi1pk:HASH; KEYS_ONLY), gsi2 (gsi2pk:HASH; ALL)',
    ]);
    expect(
      schemaDifferences(persisted, {
        ...table,
        localSecondaryIndexes: [
          {
            IndexName: 'lsi1',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    ).toEqual(['local secondary indexes none, the template has lsi1 (pk:HASH,at:RANGE; ALL)']);
  });
});
