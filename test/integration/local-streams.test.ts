import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb } from '../../scripts/local/dynamodb.ts';
import {
  type LocalStreams,
  matchesPattern,
  type Shard,
  type StreamEventRecord,
  type StreamRecordOnTheWire,
  type StreamSource,
  StreamsError,
  startStreamPollers,
  validatePattern,
} from '../../scripts/local/streams.ts';
import type { LambdaRuntime, LocalEventSourceMapping, LocalTable } from '../../scripts/local/types.ts';
import { keyTable, sharedDynamoDb } from '../support/dynamodb-local.ts';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const tableNamed = (tableName: string, stream = true): LocalTable => keyTable(tableName, stream);

function mapping(tableName: string, fields: Partial<LocalEventSourceMapping> = {}): LocalEventSourceMapping {
  return {
    logicalId: `${tableName}Mapping`,
    functionLogicalId: 'Consumer',
    tableName,
    batchSize: 100,
    startingPosition: 'TRIM_HORIZON',
    filters: [],
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    reportBatchItemFailures: false,
    enabled: true,
    ...fields,
  };
}

/**
 * The function the poller invokes: the Lambda runtime's interface, recording every invocation
 * and answering with `answer` (which may throw, as a failing handler does).
 */
function recordingLambda(answer: (records: StreamEventRecord[], call: number) => unknown = () => null) {
  const calls: StreamEventRecord[][] = [];
  const runtime: LambdaRuntime = {
    invoke: async (functionLogicalId, event) => {
      expect(functionLogicalId).toBe('Consumer');
      const records = (event as { Records: StreamEventRecord[] }).Records;
      calls.push(records);
      return answer(records, calls.length);
    },
    close: async () => {},
  };
  const ids = () => calls.map((batch) => batch.map((r) => idOf(r)));
  return { runtime, calls, ids };
}

const idOf = (record: StreamEventRecord) => (record.dynamodb.Keys.sk as { S: string }).S;

describe('DynamoDB stream pollers against DynamoDB Local', () => {
  /** The shared DynamoDB Local (test/support/dynamodb-local.ts), with this file's `streams-*` tables. */
  let db: { endpoint: string };
  let documents: DynamoDBDocumentClient;
  const tables = [
    'shape',
    'batches',
    'bisect',
    'partial',
    'discard',
    'checkpoint',
    'latest',
    'off',
    'nostream',
  ];
  const running: LocalStreams[] = [];

  beforeAll(async () => {
    db = {
      endpoint: await sharedDynamoDb(
        tables.map((name) => tableNamed(`streams-${name}`, name !== 'nostream')),
      ),
    };
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: db.endpoint }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(running.map((streams) => streams.close()));
    documents?.destroy();
  });

  const start = async (options: {
    mappings: LocalEventSourceMapping[];
    lambda: LambdaRuntime;
    checkpointDir?: string;
  }) => {
    const streams = await startStreamPollers({
      endpoint: db.endpoint,
      pollIntervalMs: 50,
      retryBaseMs: 10,
      log: () => {},
      ...options,
    });
    running.push(streams);
    return streams;
  };
  const put = (table: string, sk: string, fields: Record<string, unknown> = {}) =>
    documents.send(new PutCommand({ TableName: `streams-${table}`, Item: { pk: 'P', sk, ...fields } }));

  it('hands INSERT, MODIFY and REMOVE to the function in order, in the Lambda event shape, filtered', async () => {
    // Prepare
    const lambda = recordingLambda();
    const streams = await start({
      mappings: [
        mapping('streams-shape', {
          filters: [{ dynamodb: { Keys: { sk: { S: [{ prefix: 'ITEM#' }] } } } }],
        }),
      ],
      lambda: lambda.runtime,
    });

    // Act
    const writtenAt = Date.now() / 1000;
    await put('shape', 'ITEM#1', { status: 'new' });
    await documents.send(
      new UpdateCommand({
        TableName: 'streams-shape',
        Key: { pk: 'P', sk: 'ITEM#1' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'done' },
      }),
    );
    await put('shape', 'OTHER#1');
    await documents.send(new DeleteCommand({ TableName: 'streams-shape', Key: { pk: 'P', sk: 'ITEM#1' } }));
    await streams.drain();

    // Assess
    const records = lambda.calls.flat();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [StreamEventRecord, StreamEventRecord, StreamEventRecord];
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventID: expect.any(String),
      eventSourceARN: expect.stringMatching(/:table\/streams-shape\/stream\//),
      dynamodb: {
        Keys: { pk: { S: 'P' }, sk: { S: 'ITEM#1' } },
        NewImage: { pk: { S: 'P' }, sk: { S: 'ITEM#1' }, status: { S: 'new' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.stringMatching(/^\d+$/),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(insert.dynamodb.OldImage).toBeUndefined();
    // To the second, as on AWS (DynamoDB Local itself stamps records to the minute).
    expect(Math.abs(insert.dynamodb.ApproximateCreationDateTime - writtenAt)).toBeLessThanOrEqual(2);
    expect(modify.dynamodb.OldImage?.status).toEqual({ S: 'new' });
    expect(modify.dynamodb.NewImage?.status).toEqual({ S: 'done' });
    expect(remove.dynamodb.NewImage).toBeUndefined();
    expect(remove.dynamodb.OldImage?.status).toEqual({ S: 'done' });
    const sequences = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    expect(streams.stats()['streams-shapeMapping']).toMatchObject({ delivered: 3, filteredOut: 1 });
  });

  it('invokes with at most batchSize records, each record once, in write order', async () => {
    // Prepare: the records are in the stream before the poller starts, so one read returns all
    for (let i = 0; i < 25; i++) await put('batches', `ITEM#${String(i).padStart(2, '0')}`);
    const lambda = recordingLambda();

    // Act
    const streams = await start({
      mappings: [mapping('streams-batches', { batchSize: 10 })],
      lambda: lambda.runtime,
    });
    await streams.drain();

    // Assess
    expect(lambda.calls.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(lambda.ids().flat()).toEqual(
      Array.from({ length: 25 }, (_, i) => `ITEM#${String(i).padStart(2, '0')}`),
    );
  });

  it('retries a failing batch in halves when bisecting, until the poison record goes through', async () => {
    // Prepare: the handler throws on any batch holding C, the first two times it sees C
    for (const id of ['A', 'B', 'C', 'D']) await put('bisect', id);
    let poisonSeen = 0;
    const lambda = recordingLambda((records) => {
      if (records.some((r) => idOf(r) === 'C') && ++poisonSeen <= 2) throw new Error('poison');
      return null;
    });

    // Act
    const streams = await start({
      mappings: [mapping('streams-bisect', { batchSize: 4, bisectBatchOnFunctionError: true })],
      lambda: lambda.runtime,
    });
    await streams.drain();

    // Assess: [ABCD] fails → [AB] ok, [CD] fails → [C] ok, [D] ok
    expect(lambda.ids()).toEqual([['A', 'B', 'C', 'D'], ['A', 'B'], ['C', 'D'], ['C'], ['D']]);
    expect(streams.stats()['streams-bisectMapping']).toMatchObject({
      delivered: 4,
      failedInvocations: 2,
      discarded: 0,
    });
  });

  it('retries from the first record named in batchItemFailures, keeping the ones before it', async () => {
    // Prepare
    for (const id of ['A', 'B', 'C']) await put('partial', id);
    const lambda = recordingLambda((records, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb.SequenceNumber }] }
        : { batchItemFailures: [] },
    );

    // Act
    const streams = await start({
      mappings: [mapping('streams-partial', { reportBatchItemFailures: true })],
      lambda: lambda.runtime,
    });
    await streams.drain();

    // Assess
    expect(lambda.ids()).toEqual([
      ['A', 'B', 'C'],
      ['B', 'C'],
    ]);
  });

  it('gives up on a record after MaximumRetryAttempts and goes on with the next ones', async () => {
    // Prepare
    await put('discard', 'BAD');
    await put('discard', 'GOOD');
    const lambda = recordingLambda((records) => {
      if (records.some((r) => idOf(r) === 'BAD')) throw new Error('always fails');
      return null;
    });

    // Act
    const streams = await start({
      mappings: [mapping('streams-discard', { batchSize: 1, maximumRetryAttempts: 2 })],
      lambda: lambda.runtime,
    });
    await streams.drain();

    // Assess: one try and two retries, then GOOD
    expect(lambda.ids()).toEqual([['BAD'], ['BAD'], ['BAD'], ['GOOD']]);
    expect(streams.stats()['streams-discardMapping']).toMatchObject({ discarded: 1, delivered: 1 });
  });

  it('resumes after its checkpoint when restarted with the same checkpoint folder: nothing lost, nothing twice', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'stream-checkpoints-'));
    try {
      await put('checkpoint', 'A');
      await put('checkpoint', 'B');
      const first = recordingLambda();
      const before = await start({
        mappings: [mapping('streams-checkpoint')],
        lambda: first.runtime,
        checkpointDir: dir,
      });
      await before.drain();
      await before.close();

      // Act: written while no poller runs
      await put('checkpoint', 'C');
      const second = recordingLambda();
      const after = await start({
        mappings: [mapping('streams-checkpoint')],
        lambda: second.runtime,
        checkpointDir: dir,
      });
      await after.drain();

      // Assess
      expect(first.ids().flat()).toEqual(['A', 'B']);
      expect(second.ids().flat()).toEqual(['C']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts at the newest record for a LATEST mapping without a checkpoint, and at the oldest for TRIM_HORIZON', async () => {
    // Prepare
    await put('latest', 'OLD');
    const latest = recordingLambda();
    const horizon = recordingLambda();
    const fromLatest = await start({
      mappings: [mapping('streams-latest', { startingPosition: 'LATEST' })],
      lambda: latest.runtime,
    });
    const fromOldest = await start({ mappings: [mapping('streams-latest')], lambda: horizon.runtime });
    await fromLatest.drain();

    // Act
    await put('latest', 'NEW');
    await Promise.all([fromLatest.drain(), fromOldest.drain()]);

    // Assess
    expect(latest.ids().flat()).toEqual(['NEW']);
    expect(horizon.ids().flat()).toEqual(['OLD', 'NEW']);
  });

  it('does not poll a disabled mapping', async () => {
    await put('off', 'A');
    const lambda = recordingLambda();
    const streams = await start({
      mappings: [mapping('streams-off', { enabled: false })],
      lambda: lambda.runtime,
    });
    await streams.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect(lambda.calls).toEqual([]);
  });

  it('refuses a mapping on a table without a stream, naming both', async () => {
    await expect(
      start({ mappings: [mapping('streams-nostream')], lambda: recordingLambda().runtime }),
    ).rejects.toThrow(/streams-nostreamMapping: table streams-nostream has no stream enabled/);
  });
});

describe('DynamoDB Local with persisted data and streams', () => {
  it('enables the template’s stream on a table created without one, and a poller reads what follows', async () => {
    // Prepare: a persisted table from before the template had a stream
    const dataDir = mkdtempSync(join(tmpdir(), 'streams-persisted-'));
    const withoutStream = tableNamed('persisted', false);
    let db = await startDynamoDb({ port: 0, dataDir, tables: [withoutStream] });
    await db.close();
    let streams: LocalStreams | undefined;
    let documents: DynamoDBDocumentClient | undefined;
    try {
      // Act
      db = await startDynamoDb({ port: 0, dataDir, tables: [tableNamed('persisted')] });
      const raw = new DynamoDBClient({ ...local, endpoint: db.endpoint });
      const { Table } = await raw.send(new DescribeTableCommand({ TableName: 'persisted' }));
      raw.destroy();
      const lambda = recordingLambda();
      streams = await startStreamPollers({
        endpoint: db.endpoint,
        mappings: [mapping('persisted')],
        lambda: lambda.runtime,
        pollIntervalMs: 50,
        log: () => {},
      });
      documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: db.endpoint }));
      await documents.send(new PutCommand({ TableName: 'persisted', Item: { pk: 'P', sk: 'AFTER' } }));
      await streams.drain();

      // Assess
      expect(Table?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      });
      expect(lambda.ids().flat()).toEqual(['AFTER']);
    } finally {
      await streams?.close();
      documents?.destroy();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * A stream with the shard lineage DynamoDB Local never produces (it does not split shards):
 * each shard a list of records, closed or open; iterators are positions.
 */
class ShardedStream implements StreamSource {
  readonly calls: string[] = [];
  expireOnce = new Set<string>();

  constructor(
    public listed: Shard[],
    readonly data: Record<string, { records: StreamRecordOnTheWire[]; closed: boolean }>,
  ) {}

  async streamArnOf() {
    return 'arn:aws:dynamodb:us-east-1:000000000000:table/sharded/stream/x';
  }

  async shards() {
    return this.listed;
  }

  async iterator(_arn: string, shardId: string, type: string, sequence?: string) {
    const records = this.data[shardId]!.records;
    const position =
      type === 'AFTER_SEQUENCE_NUMBER'
        ? records.findIndex((r) => r.dynamodb.SequenceNumber === sequence) + 1
        : type === 'LATEST'
          ? records.length
          : 0;
    return JSON.stringify({ shardId, position });
  }

  async records(iterator: string) {
    const { shardId, position } = JSON.parse(iterator) as { shardId: string; position: number };
    if (this.expireOnce.delete(shardId)) throw new StreamsError('ExpiredIteratorException', 'expired');
    this.calls.push(shardId);
    const shard = this.data[shardId]!;
    const records = shard.records.slice(position);
    const next = JSON.stringify({ shardId, position: position + records.length });
    return { records, next: shard.closed ? undefined : next };
  }
}

function onTheWire(sequence: number, sk: string): StreamRecordOnTheWire {
  return {
    eventID: `e${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      Keys: { pk: { S: 'P' }, sk: { S: sk } },
      NewImage: { pk: { S: 'P' }, sk: { S: sk } },
      SequenceNumber: String(sequence).padStart(21, '0'),
      ApproximateCreationDateTime: 1_793_000_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('stream pollers across shards (splits, trimmed parents, expired iterators)', () => {
  const run = async (source: ShardedStream) => {
    const lambda = recordingLambda();
    const streams = await startStreamPollers({
      endpoint: 'http://unused',
      source,
      mappings: [mapping('sharded')],
      lambda: lambda.runtime,
      pollIntervalMs: 10,
      log: () => {},
    });
    return { lambda, streams };
  };

  it('reads a parent shard to its end before its children, however the stream lists them', async () => {
    // Prepare: the parent closed at a split; the child is listed first
    const source = new ShardedStream([{ ShardId: 'child', ParentShardId: 'parent' }, { ShardId: 'parent' }], {
      parent: { records: [onTheWire(1, 'A'), onTheWire(2, 'B')], closed: true },
      child: { records: [onTheWire(3, 'C'), onTheWire(4, 'D')], closed: false },
    });

    // Act
    const { lambda, streams } = await run(source);
    await streams.drain();
    await streams.close();

    // Assess
    expect(lambda.ids().flat()).toEqual(['A', 'B', 'C', 'D']);
    expect(source.calls.indexOf('child')).toBeGreaterThan(source.calls.lastIndexOf('parent'));
  });

  it('reads a child at once when its parent is no longer in the stream (trimmed)', async () => {
    const source = new ShardedStream([{ ShardId: 'child', ParentShardId: 'trimmed' }], {
      child: { records: [onTheWire(7, 'X')], closed: false },
    });
    const { lambda, streams } = await run(source);
    await streams.drain();
    await streams.close();
    expect(lambda.ids().flat()).toEqual(['X']);
  });

  it('replaces an expired iterator from its checkpoint: nothing lost, nothing twice', async () => {
    // Prepare
    const source = new ShardedStream([{ ShardId: 'only' }], {
      only: { records: [onTheWire(1, 'A')], closed: false },
    });
    const { lambda, streams } = await run(source);
    await streams.drain();

    // Act: the iterator expires, then more is written
    source.expireOnce.add('only');
    source.data.only!.records.push(onTheWire(2, 'B'));
    await streams.drain();
    await streams.close();

    // Assess
    expect(lambda.ids().flat()).toEqual(['A', 'B']);
  });
});

describe('event filter patterns (Lambda FilterCriteria)', () => {
  const record = {
    eventName: 'MODIFY',
    dynamodb: {
      Keys: { pk: { S: 'APPLICATION#a1' }, sk: { S: 'APPLICATION' } },
      NewImage: { status: { S: 'issued' }, total: { N: '10600' } },
    },
  };

  it.each([
    ['an exact value among alternatives', { eventName: ['INSERT', 'MODIFY'] }, true],
    ['an exact value that differs', { eventName: ['REMOVE'] }, false],
    ['a prefix', { dynamodb: { Keys: { pk: { S: [{ prefix: 'APPLICATION#' }] } } } }, true],
    ['a prefix that differs', { dynamodb: { Keys: { pk: { S: [{ prefix: 'INVOICE#' }] } } } }, false],
    [
      'every field of a pattern (AND)',
      { eventName: ['MODIFY'], dynamodb: { Keys: { sk: { S: ['APPLICATION'] } } } },
      true,
    ],
    [
      'one failing field of a pattern',
      { eventName: ['MODIFY'], dynamodb: { Keys: { sk: { S: ['X'] } } } },
      false,
    ],
    ['a suffix', { dynamodb: { Keys: { pk: { S: [{ suffix: '#a1' }] } } } }, true],
    [
      'equals-ignore-case',
      { dynamodb: { NewImage: { status: { S: [{ 'equals-ignore-case': 'ISSUED' }] } } } },
      true,
    ],
    ['anything-but a value', { eventName: [{ 'anything-but': ['REMOVE'] }] }, true],
    ['anything-but a prefix', { dynamodb: { Keys: { pk: [{ 'anything-but': { prefix: 'APP' } }] } } }, true],
    ['exists: true on a present field', { dynamodb: { NewImage: { status: [{ exists: true }] } } }, true],
    ['exists: false on a present field', { dynamodb: { NewImage: { status: [{ exists: false }] } } }, false],
    ['exists: false on an absent field', { dynamodb: { OldImage: [{ exists: false }] } }, true],
    ['a field the record lacks', { dynamodb: { OldImage: { status: { S: ['issued'] } } } }, false],
    [
      'a numeric range on a number string',
      { dynamodb: { NewImage: { total: { N: [{ numeric: ['>', 100, '<=', 10600] }] } } } },
      true,
    ],
  ])('matches %s: %j → %s', (_, pattern, expected) => {
    expect(matchesPattern(pattern as Record<string, unknown>, record)).toBe(expected);
  });

  it('rejects syntax it does not implement rather than filtering wrongly', () => {
    expect(() => validatePattern({ $or: [] }, 'F')).toThrow(/F: \$or is not supported locally/);
    expect(() => validatePattern({ a: [{ wildcard: 'x*' }] }, 'F')).toThrow(/F\.a: matcher .* not supported/);
    expect(() => validatePattern({ a: { b: [{ prefix: 'x' }] } }, 'F')).not.toThrow();
  });
});
