/**
 * DynamoDB Streams → Lambda locally: one poller per event source mapping of the template, as
 * Lambda's stream poller does on AWS. It reads the table's stream in DynamoDB Local shard by
 * shard (a child shard only after its parent), applies the mapping's filters, invokes the
 * function with batches in the Lambda event shape, retries a failed batch with backoff
 * (bisecting it when the mapping says so, honouring `batchItemFailures`), and keeps a
 * checkpoint per shard — in `<checkpointDir>/<mapping>.json` when given, so nothing is lost
 * or delivered twice across `npm start` restarts (redelivery after a crash stays possible, as on
 * AWS: consumers must be idempotent).
 *
 * DynamoDB Local speaks the Streams API at its own endpoint; the project has no Streams SDK
 * client, so the three calls are plain JSON-over-HTTP requests (DynamoDB Local checks no
 * signatures).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaRuntime, LocalEventSourceMapping } from './types.ts';

type AttributeMap = Record<string, unknown>;

/** One record as Lambda hands it to a function (DynamoDBStreamEvent.Records[n]). */
export interface StreamEventRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: {
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    ApproximateCreationDateTime: number;
    SizeBytes?: number;
    StreamViewType: string;
  };
}

export interface StreamPollersOptions {
  /** DynamoDB Local's endpoint. */
  endpoint: string;
  /** Another Streams API than DynamoDB Local's (tests: shard splits DynamoDB Local never makes). */
  source?: StreamSource;
  mappings: LocalEventSourceMapping[];
  lambda: LambdaRuntime;
  /** Checkpoints survive restarts here; undefined = in memory, each start begins per startingPosition. */
  checkpointDir?: string;
  /** Pause between polls of a shard that had nothing new (Lambda polls about 4 times a second). */
  pollIntervalMs?: number;
  /** First retry delay of a failed batch; doubles per attempt up to maxBackoffMs. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** awsRegion in the records (default us-east-1). */
  region?: string;
  log?: (line: string) => void;
}

export interface MappingStats {
  /** Records handed to the function in successful invocations. */
  delivered: number;
  /** Records the filters kept from the function. */
  filteredOut: number;
  /** Invocations that threw or reported item failures. */
  failedInvocations: number;
  /** Records given up on after the mapping's retries (AWS would send them to the on-failure destination). */
  discarded: number;
}

export interface LocalStreams {
  /** Resolves once every record written before the call has been handled (delivered, filtered out or discarded). */
  drain(timeoutMs?: number): Promise<void>;
  stats(): Record<string, MappingStats>;
  /** Stops polling; an invocation in flight is awaited (up to a few seconds) so its checkpoint is kept. */
  close(): Promise<void>;
}

const FAKE_AUTH =
  'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
const DESCRIBE_EVERY_MS = 5_000;
const CLOSE_WAIT_MS = 5_000;

export async function startStreamPollers(options: StreamPollersOptions): Promise<LocalStreams> {
  const log = options.log ?? ((line: string) => console.log(line));
  for (const mapping of options.mappings) {
    mapping.filters.forEach((pattern, i) => {
      validatePattern(pattern, `${mapping.logicalId} filter ${i}`);
    });
  }
  const api = options.source ?? new DynamoDbLocalStreams(options.endpoint);
  const pollers: MappingPoller[] = [];
  for (const mapping of options.mappings.filter((m) => m.enabled)) {
    const streamArn = await api.streamArnOf(mapping.tableName);
    if (!streamArn) {
      throw new Error(
        `${mapping.logicalId}: table ${mapping.tableName} has no stream enabled; its template needs a StreamSpecification`,
      );
    }
    pollers.push(new MappingPoller(mapping, streamArn, api, options, log));
  }
  for (const poller of pollers) poller.start();

  let closed: Promise<void> | undefined;
  return {
    drain: async (timeoutMs = 30_000) => {
      await Promise.all(pollers.map((p) => p.drain(timeoutMs)));
    },
    stats: () => Object.fromEntries(pollers.map((p) => [p.mapping.logicalId, { ...p.stats }])),
    close: () => {
      closed ??= Promise.all(pollers.map((p) => p.stop())).then(() => undefined);
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The Streams API of DynamoDB Local

/** An error answer of the Streams API; `type` is its __type (e.g. ExpiredIteratorException). */
export class StreamsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
    this.name = type;
  }
}

export interface Shard {
  ShardId: string;
  ParentShardId?: string;
}

export type StreamRecordOnTheWire = Omit<StreamEventRecord, 'eventSourceARN'>;

/** What the pollers need of DynamoDB Streams. */
export interface StreamSource {
  /** The table's current stream, or undefined when it has none. */
  streamArnOf(tableName: string): Promise<string | undefined>;
  shards(streamArn: string): Promise<Shard[]>;
  iterator(
    streamArn: string,
    shardId: string,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER',
    sequenceNumber?: string,
  ): Promise<string>;
  /** One GetRecords; `next` is undefined once a closed shard has been read to its end. */
  records(iterator: string): Promise<{ records: StreamRecordOnTheWire[]; next?: string }>;
}

class DynamoDbLocalStreams implements StreamSource {
  constructor(private readonly endpoint: string) {}

  async streamArnOf(tableName: string): Promise<string | undefined> {
    const client = new DynamoDBClient({
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
    } finally {
      client.destroy();
    }
  }

  async shards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = (await this.call('DescribeStream', {
        StreamArn: streamArn,
        ExclusiveStartShardId: start,
      })) as {
        StreamDescription: { Shards?: Shard[]; LastEvaluatedShardId?: string };
      };
      shards.push(...(out.StreamDescription.Shards ?? []));
      start = out.StreamDescription.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  async iterator(
    streamArn: string,
    shardId: string,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER',
    sequenceNumber?: string,
  ): Promise<string> {
    const out = (await this.call('GetShardIterator', {
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      SequenceNumber: sequenceNumber,
    })) as { ShardIterator: string };
    return out.ShardIterator;
  }

  async records(iterator: string): Promise<{ records: StreamRecordOnTheWire[]; next?: string }> {
    const out = (await this.call('GetRecords', { ShardIterator: iterator, Limit: 1000 })) as {
      Records?: StreamRecordOnTheWire[];
      NextShardIterator?: string;
    };
    return { records: out.Records ?? [], next: out.NextShardIterator };
  }

  private async call(operation: string, body: Record<string, unknown>): Promise<unknown> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
        authorization: FAKE_AUTH,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!response.ok) {
      const type = String(parsed.__type ?? `HTTP${response.status}`).replace(/^.*#/, '');
      throw new StreamsError(type, String(parsed.Message ?? parsed.message ?? text));
    }
    return parsed;
  }
}

// ---------------------------------------------------------------------------------------------
// Polling one mapping

interface ShardState {
  id: string;
  parentId?: string;
  /** The last sequence number handled (delivered, filtered out or discarded). */
  checkpoint?: string;
  finished: boolean;
  iterator?: string;
  /** Open when the poller started: a LATEST mapping starts there; shards born later from their start. */
  atStart: boolean;
  /** When the last poll that found nothing new began (drain). */
  lastEmptyPollStartedAt: number;
}

interface CheckpointFile {
  streamArn: string;
  shards: Record<string, { sequence?: string; finished?: boolean }>;
}

class Stopped extends Error {}

class MappingPoller {
  readonly stats: MappingStats = { delivered: 0, filteredOut: 0, failedInvocations: 0, discarded: 0 };
  private readonly shards = new Map<string, ShardState>();
  private readonly file?: string;
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastDescribeAt = 0;
  private describedOnce = false;

  constructor(
    readonly mapping: LocalEventSourceMapping,
    private readonly streamArn: string,
    private readonly api: StreamSource,
    private readonly options: StreamPollersOptions,
    private readonly log: (line: string) => void,
  ) {
    if (options.checkpointDir !== undefined) {
      mkdirSync(options.checkpointDir, { recursive: true });
      this.file = join(options.checkpointDir, `${mapping.logicalId}.json`);
      this.restore();
    }
  }

  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      if (!(error instanceof Stopped))
        this.log(`[streams] ${this.mapping.logicalId} stopped: ${String(error)}`);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.loop) await Promise.race([this.loop, sleep(CLOSE_WAIT_MS)]);
  }

  async drain(timeoutMs: number): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    // Shards discovered after the call are children of shards that closed after it: the
    // poller describes the stream as soon as a shard finishes, so checking the known ones
    // after a describe that followed the call is enough.
    while (
      this.lastDescribeAt < since ||
      [...this.shards.values()].some((s) => !s.finished && s.lastEmptyPollStartedAt < since)
    ) {
      if (this.stopped) throw new Error(`${this.mapping.logicalId}: stopped before draining`);
      if (Date.now() > deadline)
        throw new Error(`${this.mapping.logicalId}: not drained within ${timeoutMs} ms`);
      if (this.lastDescribeAt < since) this.lastDescribeAt = 0; // ask for a describe now
      this.wake?.();
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 200;
    let failures = 0;
    while (!this.stopped) {
      let busy = false;
      try {
        if (Date.now() - this.lastDescribeAt >= DESCRIBE_EVERY_MS) await this.describe();
        for (const shard of this.readyShards()) {
          if (await this.poll(shard)) busy = true;
          if (shard.finished) this.lastDescribeAt = 0; // its children are next
        }
        failures = 0;
      } catch (error) {
        if (error instanceof Stopped || this.stopped) return;
        failures++;
        this.log(
          `[streams] ${this.mapping.logicalId}: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.pause(backoff(failures, this.options));
        continue;
      }
      if (!busy) await this.pause(interval);
    }
  }

  private async describe(): Promise<void> {
    const startedAt = Date.now();
    const listed = await this.api.shards(this.streamArn);
    const first = !this.describedOnce;
    for (const shard of listed) {
      const known = this.shards.get(shard.ShardId);
      if (known) {
        known.parentId ??= shard.ParentShardId;
        continue;
      }
      this.shards.set(shard.ShardId, {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        finished: false,
        atStart: first,
        lastEmptyPollStartedAt: 0,
      });
    }
    // Shards the stream no longer lists were trimmed: nothing there can be read any more, and
    // their children must not wait for them.
    const ids = new Set(listed.map((s) => s.ShardId));
    for (const id of this.shards.keys()) if (!ids.has(id)) this.shards.delete(id);
    this.describedOnce = true;
    this.lastDescribeAt = startedAt;
  }

  /** Unfinished shards whose parent is done (or gone): per-item order holds across a split. */
  private readyShards(): ShardState[] {
    return [...this.shards.values()].filter((shard) => {
      if (shard.finished) return false;
      const parent = shard.parentId === undefined ? undefined : this.shards.get(shard.parentId);
      return parent === undefined || parent.finished;
    });
  }

  /** One GetRecords on a shard and the delivery of what it returned; true when it returned records. */
  private async poll(shard: ShardState): Promise<boolean> {
    const startedAt = Date.now();
    shard.iterator ??= await this.iteratorFor(shard);
    let page: Awaited<ReturnType<StreamSource['records']>>;
    try {
      page = await this.api.records(shard.iterator);
    } catch (error) {
      if (error instanceof StreamsError && error.type === 'TrimmedDataAccessException') {
        this.log(
          `[streams] ${this.mapping.logicalId}: ${shard.id} was trimmed past the checkpoint; reading on`,
        );
        shard.checkpoint = undefined;
        shard.iterator = await this.api.iterator(this.streamArn, shard.id, 'TRIM_HORIZON');
        return true;
      }
      if (error instanceof StreamsError) {
        // Expired or unknown iterator: take a fresh one from the checkpoint after a pause.
        this.log(`[streams] ${this.mapping.logicalId}: ${shard.id}: ${error.message}`);
        shard.iterator = undefined;
        return false;
      }
      throw error;
    }
    const readAt = Math.floor(Date.now() / 1000);
    const records = page.records.map((r) => ({
      ...r,
      awsRegion: this.options.region ?? 'us-east-1',
      eventSourceARN: this.streamArn,
      dynamodb: {
        ...r.dynamodb,
        ApproximateCreationDateTime: toSeconds(r.dynamodb.ApproximateCreationDateTime, readAt),
      },
    }));
    const kept = records.filter((r) => this.passes(r));
    this.stats.filteredOut += records.length - kept.length;
    for (let i = 0; i < kept.length; i += this.mapping.batchSize) {
      const batch = kept.slice(i, i + this.mapping.batchSize);
      await this.deliver(batch, shard);
    }
    const last = records.at(-1);
    if (last) shard.checkpoint = last.dynamodb.SequenceNumber;
    shard.iterator = page.next;
    if (page.next === undefined) shard.finished = true;
    if (last || shard.finished) this.persist();
    if (records.length === 0) shard.lastEmptyPollStartedAt = startedAt;
    return records.length > 0;
  }

  private async iteratorFor(shard: ShardState): Promise<string> {
    if (shard.checkpoint !== undefined) {
      try {
        return await this.api.iterator(this.streamArn, shard.id, 'AFTER_SEQUENCE_NUMBER', shard.checkpoint);
      } catch (error) {
        if (!(error instanceof StreamsError)) throw error;
        this.log(
          `[streams] ${this.mapping.logicalId}: checkpoint ${shard.checkpoint} of ${shard.id} unusable (${error.type}); reading from the oldest record`,
        );
      }
    }
    const latest =
      shard.atStart && shard.checkpoint === undefined && this.mapping.startingPosition === 'LATEST';
    return this.api.iterator(this.streamArn, shard.id, latest ? 'LATEST' : 'TRIM_HORIZON');
  }

  private passes(record: StreamEventRecord): boolean {
    const { filters } = this.mapping;
    return filters.length === 0 || filters.some((pattern) => matchesPattern(pattern, record));
  }

  /**
   * Invokes the function until the batch is handled: a thrown error retries it (in halves when
   * bisecting), `batchItemFailures` retries from the lowest failed record on, and after the
   * mapping's MaximumRetryAttempts (-1: never) the failing part is discarded and logged.
   */
  private async deliver(batch: StreamEventRecord[], shard: ShardState): Promise<void> {
    const parts: { records: StreamEventRecord[]; attempts: number }[] = [{ records: batch, attempts: 0 }];
    while (parts.length > 0) {
      if (this.stopped) throw new Stopped();
      const part = parts[0]!;
      let failedFrom: number | undefined;
      let reason: string;
      try {
        const result = await this.options.lambda.invoke(this.mapping.functionLogicalId, {
          Records: part.records,
        });
        failedFrom = this.mapping.reportBatchItemFailures ? firstFailure(result, part.records) : undefined;
        if (failedFrom === undefined) {
          this.stats.delivered += part.records.length;
          this.advance(shard, part.records.at(-1));
          parts.shift();
          continue;
        }
        reason = `batchItemFailures from ${part.records[failedFrom]?.dynamodb.SequenceNumber}`;
      } catch (error) {
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (this.stopped) throw new Stopped();
      this.stats.failedInvocations++;
      if (failedFrom !== undefined && failedFrom > 0) {
        // The records before the first failure count as done.
        this.stats.delivered += failedFrom;
        this.advance(shard, part.records[failedFrom - 1]);
        part.records = part.records.slice(failedFrom);
      }
      part.attempts++;
      const limit = this.mapping.maximumRetryAttempts;
      if (limit >= 0 && part.attempts > limit) {
        this.stats.discarded += part.records.length;
        this.log(
          `[streams] ${this.mapping.logicalId}: discarding ${part.records.length} record(s) ` +
            `${part.records[0]?.dynamodb.SequenceNumber}…${part.records.at(-1)?.dynamodb.SequenceNumber} after ${limit} retries (${reason})`,
        );
        this.advance(shard, part.records.at(-1));
        parts.shift();
        continue;
      }
      if (failedFrom === undefined && this.mapping.bisectBatchOnFunctionError && part.records.length > 1) {
        const half = Math.ceil(part.records.length / 2);
        parts.splice(
          0,
          1,
          { records: part.records.slice(0, half), attempts: part.attempts },
          { records: part.records.slice(half), attempts: part.attempts },
        );
      }
      await this.pause(backoff(part.attempts, this.options));
    }
  }

  private advance(shard: ShardState, record: StreamEventRecord | undefined): void {
    if (!record) return;
    shard.checkpoint = record.dynamodb.SequenceNumber;
    this.persist();
  }

  private restore(): void {
    if (!this.file || !existsSync(this.file)) return;
    let saved: CheckpointFile;
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8')) as CheckpointFile;
    } catch {
      this.log(`[streams] ${this.mapping.logicalId}: unreadable checkpoint file ${this.file}; starting over`);
      return;
    }
    if (saved.streamArn !== this.streamArn) return; // the table's stream was recreated
    for (const [id, state] of Object.entries(saved.shards ?? {})) {
      this.shards.set(id, {
        id,
        checkpoint: state.sequence,
        finished: state.finished === true,
        atStart: false,
        lastEmptyPollStartedAt: 0,
      });
    }
  }

  private persist(): void {
    if (!this.file) return;
    const data: CheckpointFile = { streamArn: this.streamArn, shards: {} };
    for (const shard of this.shards.values()) {
      data.shards[shard.id] = { sequence: shard.checkpoint, ...(shard.finished ? { finished: true } : {}) };
    }
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(data));
    renameSync(temporary, this.file);
  }

  /** Sleeps, or returns early when stopped or woken (drain). */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * DynamoDB Local stamps records to the minute; AWS to the second. A record read within the
 * minute after its stamp happened at most a poll ago: the read time, in seconds, is closer.
 */
function toSeconds(stamped: number, readAt: number): number {
  const lag = readAt - stamped;
  const toTheMinute = stamped % 60 === 0;
  return toTheMinute && lag >= 0 && lag < 120 ? Math.min(readAt, stamped + 59) : stamped;
}

function backoff(attempt: number, options: StreamPollersOptions): number {
  const base = options.retryBaseMs ?? 200;
  return Math.min(base * 2 ** Math.max(0, attempt - 1), options.maxBackoffMs ?? 5_000);
}

/**
 * The index of the first record to retry from a ReportBatchItemFailures answer, or undefined
 * when the batch succeeded. As on AWS, an answer naming a record not in the batch (or no
 * identifier at all) fails the whole batch.
 */
function firstFailure(result: unknown, records: StreamEventRecord[]): number | undefined {
  const failures = (result as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  let first = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = records.findIndex((r) => r.dynamodb.SequenceNumber === id);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Event filtering (Lambda FilterCriteria, the EventBridge pattern syntax)

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric']);

/** Throws, naming where, on pattern syntax this emulation does not implement (rather than mis-filtering). */
export function validatePattern(pattern: unknown, where: string): void {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error(`${where}: a pattern must be an object`);
  }
  for (const [key, rule] of Object.entries(pattern)) {
    if (key.startsWith('$')) throw new Error(`${where}: ${key} is not supported locally`);
    if (Array.isArray(rule)) {
      for (const matcher of rule) {
        if (matcher === null || typeof matcher !== 'object') continue;
        const [operator, ...more] = Object.keys(matcher);
        if (operator === undefined || more.length > 0 || !OPERATORS.has(operator)) {
          throw new Error(`${where}.${key}: matcher ${JSON.stringify(matcher)} is not supported locally`);
        }
      }
    } else {
      validatePattern(rule, `${where}.${key}`);
    }
  }
}

/**
 * Whether an event matches a filter pattern: every field of the pattern must match; a leaf is a
 * list of alternatives (exact values or one-operator objects); an event array matches when any
 * of its elements does.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
  const object = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, rule]) => {
    const present = Object.hasOwn(object, key);
    const value = object[key];
    if (Array.isArray(rule)) return matchesLeaf(rule, value, present);
    return present && matchesPattern(rule as Record<string, unknown>, value);
  });
}

function matchesLeaf(matchers: unknown[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (matcher !== null && typeof matcher === 'object') {
      const [operator, argument] = Object.entries(matcher)[0] ?? [];
      if (operator === 'exists') return argument === true ? present && value !== null : !present;
      return present && values.some((v) => matchesOperator(operator ?? '', argument, v));
    }
    return present && values.some((v) => v === matcher);
  });
}

function matchesOperator(operator: string, argument: unknown, value: unknown): boolean {
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && typeof argument === 'string' && value.startsWith(argument);
    case 'suffix':
      return typeof value === 'string' && typeof argument === 'string' && value.endsWith(argument);
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof argument === 'string' &&
        value.toLowerCase() === argument.toLowerCase()
      );
    case 'anything-but': {
      if (argument !== null && typeof argument === 'object' && !Array.isArray(argument)) {
        const [inner, innerArgument] = Object.entries(argument)[0] ?? [];
        return !matchesOperator(inner ?? '', innerArgument, value);
      }
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.includes(value);
    }
    case 'numeric': {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (Number.isNaN(number) || !Array.isArray(argument)) return false;
      for (let i = 0; i + 1 < argument.length; i += 2) {
        const bound = Number(argument[i + 1]);
        const ok =
          argument[i] === '<'
            ? number < bound
            : argument[i] === '<='
              ? number <= bound
              : argument[i] === '>'
                ? number > bound
                : argument[i] === '>='
                  ? number >= bound
                  : argument[i] === '='
                    ? number === bound
                    : false;
        if (!ok) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
