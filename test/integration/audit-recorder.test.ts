import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3Server } from '../../scripts/local/s3.ts';
import { keyTable, sharedDynamoDb } from '../support/dynamodb-local.ts';

// The recorder's use case against DynamoDB Local, fed stream records the way Lambda hands them over.

const TABLE = 'audit-recorder';
const ANCHORS = 'audit-anchors';
/** The shared DynamoDB Local (test/support/dynamodb-local.ts), where this file has its own table. */
let db: { endpoint: string };
let documents: DynamoDBDocumentClient;
let useCases: typeof import('#use-cases/audit-recorder');
let repository: typeof import('#adapters/audit-repository');
let domain: typeof import('#domain/audit');
let anchors: typeof import('#adapters/audit-anchors');
let dynamodb: typeof import('#adapters/dynamodb');
/** The anchors bucket as deployed: versioned, Object Lock in compliance mode. */
let s3: LocalS3;
const s3Dir = mkdtempSync(join(tmpdir(), 'audit-anchors-'));
const ANCHOR_BUCKETS = [
  { name: ANCHORS, versioned: true, objectLock: { mode: 'COMPLIANCE' as const, days: 3650 } },
];

beforeAll(async () => {
  db = {
    endpoint: await sharedDynamoDb([keyTable(TABLE)]),
  };
  s3 = await startS3Server({ port: 0, dataDir: s3Dir, buckets: ANCHOR_BUCKETS });
  // The adapters read their configuration when first imported, as in a Lambda.
  Object.assign(process.env, {
    TABLE_NAME: TABLE,
    AUDIT_ANCHORS_BUCKET: ANCHORS,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  useCases = await import('#use-cases/audit-recorder');
  repository = await import('#adapters/audit-repository');
  domain = await import('#domain/audit');
  anchors = await import('#adapters/audit-anchors');
  dynamodb = await import('#adapters/dynamodb');
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  await s3?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});

function av(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(av) };
  return { M: image(value as Record<string, unknown>) };
}
const image = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).map(([k, v]) => [k, av(v)])) as Record<string, AttributeValue>;

let sequence = 1000n;
/** A stream record of an item change; sequence numbers grow like the stream's. */
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  keys: { pk: string; sk: string },
  oldItem?: Record<string, unknown>,
  newItem?: Record<string, unknown>,
): DynamoDBRecord {
  sequence += 1n;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: image(keys),
      ...(oldItem ? { OldImage: image({ ...keys, ...oldItem }) } : {}),
      ...(newItem ? { NewImage: image({ ...keys, ...newItem }) } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      ApproximateCreationDateTime: 1_793_000_000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** An application's lifecycle as its item's stream records: created, issuing, issued. */
function lifecycle(applicationId: string): DynamoDBRecord[] {
  const keys = { pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' };
  const base = { applicationId, accountId: 'acct-1', submittedAt: '2026-11-02T01:00:00.000Z' };
  const t1 = [{ at: '2026-11-02T01:00:00.000Z', status: 'submitted' }];
  const t2 = [...t1, { at: '2026-11-02T01:00:20.000Z', status: 'issuing', note: 'approved by rule' }];
  const t3 = [...t2, { at: '2026-11-02T01:00:21.000Z', status: 'issued' }];
  return [
    record('INSERT', keys, undefined, {
      ...base,
      status: 'submitted',
      timeline: t1,
      gsi2pk: 'WORKFLOW_PENDING',
    }),
    // Bookkeeping only: the workflow was seen to start.
    record(
      'MODIFY',
      keys,
      { ...base, status: 'submitted', timeline: t1, gsi2pk: 'WORKFLOW_PENDING' },
      { ...base, status: 'submitted', timeline: t1 },
    ),
    record(
      'MODIFY',
      keys,
      { ...base, status: 'submitted', timeline: t1 },
      { ...base, status: 'issuing', timeline: t2 },
    ),
    record(
      'MODIFY',
      keys,
      { ...base, status: 'issuing', timeline: t2 },
      { ...base, status: 'issued', timeline: t3 },
    ),
  ];
}

const actionsOf = async (type: 'application' | 'invoice' | 'title', id: string) =>
  (await repository.readAuditTrail(type, id)).entries.map((e) => e.action);

describe('the audit recorder (stream consumer) against DynamoDB Local', () => {
  it('appends one chained entry per audited change, per subject in stream order, and skips bookkeeping', async () => {
    // Prepare: two applications' records interleaved in one batch, with other items around them
    const a = lifecycle('app-a');
    const b = lifecycle('app-b');
    const noise = [
      record('INSERT', { pk: 'ACCOUNT#acct-1', sk: 'RECORD#r1' }, undefined, { cashAmount: 100 }),
      record('INSERT', { pk: 'AUDIT#application#app-z', sk: 'ENTRY#0000000001' }, undefined, { seq: 1 }),
      record('INSERT', { pk: 'APPLICATION#app-a', sk: 'ALLOCATIONS#0000' }, undefined, { chunk: 0 }),
    ];
    const batch = [a[0]!, b[0]!, noise[0]!, a[1]!, b[1]!, a[2]!, noise[1]!, b[2]!, a[3]!, b[3]!, noise[2]!];

    // Act
    const answer = await useCases.recordStreamChanges(batch);

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    for (const id of ['app-a', 'app-b']) {
      const { entries, head } = await repository.readAuditTrail('application', id);
      expect(entries.map((e) => e.action)).toEqual([
        'created',
        'status: submitted → issuing',
        'status: issuing → issued',
      ]);
      expect(domain.verifyChain(entries, head)).toMatchObject({ ok: true, entries: 3 });
      expect(head?.streamSequence).toBe(entries[2]!.streamSequence);
    }
    expect(await repository.readAuditTrail('application', 'app-z')).toEqual({ entries: [] });
  });

  it('stores the subject’s correlation id beside each entry, outside the hash (issue 16)', async () => {
    // Prepare: an application created under a correlation id
    const records = lifecycle('app-corr').map((r) => {
      for (const image of [r.dynamodb?.OldImage, r.dynamodb?.NewImage]) {
        if (image) image.correlationId = { S: 'ticket-77' };
      }
      return r;
    });

    // Act
    expect(await useCases.recordStreamChanges(records)).toEqual({ batchItemFailures: [] });

    // Assess: every entry carries it, and the chain verifies as before (the hash ignores it)
    const { entries, head } = await repository.readAuditTrail('application', 'app-corr');
    expect(entries.map((e) => e.correlationId)).toEqual(['ticket-77', 'ticket-77', 'ticket-77']);
    expect(domain.verifyChain(entries, head)).toMatchObject({ ok: true, entries: 3 });
    expect(entries[0]!.hash).toBe(domain.hashEntry(entries[0]!.previousHash, entries[0]!));
    const { correlationId: _ignored, ...without } = entries[1]!;
    expect(domain.hashEntry(without.previousHash, without)).toBe(entries[1]!.hash);
  });

  it('adds nothing for redelivered records, and only what is new from a batch that overlaps', async () => {
    // Prepare
    const records = lifecycle('app-redelivered');
    await useCases.recordStreamChanges(records.slice(0, 3));
    const keys = { pk: 'APPLICATION#app-redelivered', sk: 'APPLICATION' };

    // Act: Lambda retries the same batch, then a batch from an earlier checkpoint
    await useCases.recordStreamChanges(records.slice(0, 3));
    await useCases.recordStreamChanges([
      ...records.slice(1, 4),
      record(
        'MODIFY',
        keys,
        { status: 'issued', accountId: 'acct-1' },
        { status: 'failed', accountId: 'acct-1' },
      ),
    ]);
    await useCases.recordStreamChanges(records);

    // Assess
    expect(await actionsOf('application', 'app-redelivered')).toEqual([
      'created',
      'status: submitted → issuing',
      'status: issuing → issued',
      'status: issued → failed',
    ]);
  });

  it('names the first failed record of a subject, appends nothing after it, and goes on with other subjects', async () => {
    // Prepare: entry 2 of app-blocked already exists without its head moving (a stray write),
    // so appending entry 2 keeps failing
    const blocked = lifecycle('app-blocked');
    const other = lifecycle('app-other');
    await useCases.recordStreamChanges([blocked[0]!]);
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: 'AUDIT#application#app-blocked', sk: 'ENTRY#0000000002' },
      }),
    );

    // Act
    const answer = await useCases.recordStreamChanges([...blocked.slice(1), ...other]);

    // Assess: Lambda retries from the first record that needs an entry and could not get one
    expect(answer).toEqual({
      batchItemFailures: [{ itemIdentifier: blocked[2]!.dynamodb!.SequenceNumber }],
    });
    expect(await actionsOf('application', 'app-blocked')).toEqual(['created', undefined]);
    expect(await actionsOf('application', 'app-other')).toEqual([
      'created',
      'status: submitted → issuing',
      'status: issuing → issued',
    ]);
  });

  it('keeps one chain when two consumers append to the same subject at once', async () => {
    // Prepare: the same records delivered to two overlapping invocations
    const records = lifecycle('app-raced');

    // Act
    const answers = await Promise.all([
      useCases.recordStreamChanges(records),
      useCases.recordStreamChanges(records),
    ]);

    // Assess
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    const { entries, head } = await repository.readAuditTrail('application', 'app-raced');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(domain.verifyChain(entries, head).ok).toBe(true);
  });

  it('records invoices and titles under their own ids (a title’s account comes from its key)', async () => {
    await useCases.recordStreamChanges([
      record('INSERT', { pk: 'INVOICE#inv-1', sk: 'INVOICE' }, undefined, {
        invoiceId: 'inv-1',
        accountId: 'acct-1',
        status: 'issued',
        issuedAt: '2026-11-02T01:00:21.000Z',
      }),
      record('INSERT', { pk: 'ACCOUNT#acct-9', sk: 'TITLE#ttl-1' }, undefined, {
        titleId: 'ttl-1',
        name: 'x',
        createdAt: '2026-11-01T00:00:00.000Z',
      }),
      record('REMOVE', { pk: 'ACCOUNT#acct-9', sk: 'TITLE#ttl-1' }, { titleId: 'ttl-1', name: 'x' }),
    ]);
    const invoice = await repository.readAuditTrail('invoice', 'inv-1');
    const title = await repository.readAuditTrail('title', 'ttl-1');
    expect(invoice.entries.map((e) => [e.action, e.actor, e.at])).toEqual([
      ['created', 'system', '2026-11-02T01:00:21.000Z'],
    ]);
    expect(title.entries.map((e) => [e.action, e.actor])).toEqual([
      ['created', 'account:acct-9'],
      ['deleted', 'account:acct-9'],
    ]);
  });

  it('lets a writer’s stamp (stampUpdate) say who and why', async () => {
    const stamp = domain.changeStamp('staff:fin-1', new Date('2026-11-02T06:00:00Z'), 'amount disputed');
    const parts = repository.stampUpdate(stamp);
    expect(parts.set).toBe(
      '#changedBy = :changedBy, #changedAt = :changedAt, #changeId = :changeId, #changeReason = :changeReason',
    );
    expect(repository.stampUpdate({ ...stamp, changeReason: undefined }).remove).toBe('#changeReason');
    const keys = { pk: 'APPLICATION#app-stamped', sk: 'APPLICATION' };
    const base = { accountId: 'acct-1', submittedAt: '2026-11-02T01:00:00.000Z' };
    await useCases.recordStreamChanges([
      record('INSERT', keys, undefined, { ...base, status: 'in-review' }),
      record('MODIFY', keys, { ...base, status: 'in-review' }, { ...base, status: 'rejected', ...stamp }),
    ]);
    const { entries } = await repository.readAuditTrail('application', 'app-stamped');
    expect(entries[1]).toMatchObject({
      action: 'status: in-review → rejected',
      actor: 'staff:fin-1',
      reason: 'amount disputed',
      at: '2026-11-02T06:00:00.000Z',
    });
  });

  it('npm run audit:verify checks chains from the table and names exactly the entry that was edited', async () => {
    // Prepare
    await useCases.recordStreamChanges(lifecycle('app-cli'));
    const verify = (...args: string[]) =>
      promisify(execFile)(
        'node_modules/.bin/tsx',
        [
          'scripts/audit-verify.ts',
          '--endpoint',
          db.endpoint,
          '--table',
          TABLE,
          '--s3-endpoint',
          s3.endpoint,
          '--anchors-bucket',
          ANCHORS,
          ...args,
        ],
        { encoding: 'utf8' },
      ).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          stdout: `${error.stdout}${error.stderr}`,
        }),
      );
    const intact = await verify('--subject', 'application:app-cli');

    // Act: someone with table access rewrites why entry 2 happened
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'AUDIT#application#app-cli', sk: 'ENTRY#0000000002' },
        UpdateExpression: 'SET reason = :r',
        ExpressionAttributeValues: { ':r': 'approved by the manager' },
      }),
    );
    const tampered = await verify('--subject', 'application:app-cli', '--json');
    const missing = await verify('--subject', 'invoice:inv-none');
    const wrong = await verify('--subject', 'nonsense');
    const all = await verify('--all');

    // Assess
    expect(intact).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^application:app-cli {2}ok {2}3 entries, head 3 .*, anchored at 3$/m),
    });
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toEqual([
      expect.objectContaining({
        subjectType: 'application',
        subjectId: 'app-cli',
        ok: false,
        entries: 3,
        problems: [{ seq: 2, kind: 'hash-mismatch', detail: expect.any(String) }],
      }),
    ]);
    expect(missing).toEqual({ code: 2, stdout: expect.stringContaining('invoice:inv-none  NOT FOUND') });
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^application:app-a {2}ok {2}3 entries/m);
    expect(all.stdout).toMatch(/^application:app-cli {2}TAMPERED {2}3 entries/m);
    expect(all.stdout).toMatch(/^ {2}entry 2: hash-mismatch — /m);
    expect(all.stdout).toMatch(/^title:ttl-1 {2}ok/m);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain('expected <application|invoice|title|return|copy-request>:<id>');
  }, 60_000);

  it('anchors each subject’s head outside the table after its batch, none for a subject without entries', async () => {
    // Prepare
    const records = lifecycle('app-anchored');

    // Act
    await useCases.recordStreamChanges(records.slice(0, 3));
    const first = await anchors.getLatestAnchor('application', 'app-anchored');
    await useCases.recordStreamChanges(records.slice(3));
    const second = await anchors.getLatestAnchor('application', 'app-anchored');
    await useCases.recordStreamChanges([
      record(
        'MODIFY',
        { pk: 'APPLICATION#app-quiet', sk: 'APPLICATION' },
        { status: 'reserving' },
        { status: 'reserving', n: 1 },
      ),
    ]);

    // Assess: the anchor follows the head; a subject with nothing audited gets none
    const { head } = await repository.readAuditTrail('application', 'app-anchored');
    expect(first).toMatchObject({ seq: 2 });
    expect(second).toMatchObject({ seq: 3, hash: head!.hash, subjectType: 'application' });
    expect(await anchors.getLatestAnchor('application', 'app-quiet')).toBeUndefined();
  });

  it('fails the batch from the subject’s first record when its head cannot be anchored, and anchors on the retry', async () => {
    // Prepare: S3 is down while the batch is recorded
    const records = lifecycle('app-unanchored');
    const port = Number(new URL(s3.endpoint).port);
    await s3.close();

    // Act
    const answer = await useCases.recordStreamChanges(records).finally(async () => {
      s3 = await startS3Server({ port, dataDir: s3Dir, buckets: ANCHOR_BUCKETS });
    });
    const unanchored = await anchors.getLatestAnchor('application', 'app-unanchored');
    const retried = await useCases.recordStreamChanges(records);

    // Assess: the entries were appended once; Lambda's retry skips them and anchors the head
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }] });
    expect(unanchored).toBeUndefined();
    expect(retried).toEqual({ batchItemFailures: [] });
    const { entries, head } = await repository.readAuditTrail('application', 'app-unanchored');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await anchors.getLatestAnchor('application', 'app-unanchored')).toMatchObject({
      seq: 3,
      hash: head!.hash,
    });
  }, 60_000);

  it('reports a chain rewritten as a whole in the table (every hash recomputed) against its anchor', async () => {
    // Prepare: an anchored chain
    await useCases.recordStreamChanges(lifecycle('app-rewritten'));
    const { entries } = await repository.readAuditTrail('application', 'app-rewritten');
    expect(
      domain.checkAnchor(entries, await anchors.getLatestAnchor('application', 'app-rewritten')),
    ).toEqual([]);

    // Act: someone with table access rewrites who approved it, and recomputes every hash and the head
    let previous: { seq: number; hash: string } | undefined;
    for (const entry of entries) {
      const forged = domain.nextEntry(
        previous,
        { type: 'application', id: 'app-rewritten' },
        { ...entry, ...(entry.seq === 2 ? { actor: 'staff:someone', reason: 'approved by a manager' } : {}) },
        entry.streamSequence,
      );
      await documents.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            pk: 'AUDIT#application#app-rewritten',
            sk: `ENTRY#${String(entry.seq).padStart(10, '0')}`,
            ...forged,
          },
        }),
      );
      previous = forged;
    }
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'AUDIT#application#app-rewritten', sk: 'HEAD' },
        UpdateExpression: 'SET #hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': previous!.hash },
      }),
    );

    // Assess: the chain alone is consistent, the anchor is not; the command says so too
    const after = await repository.readAuditTrail('application', 'app-rewritten');
    expect(domain.verifyChain(after.entries, after.head)).toMatchObject({ ok: true });
    const anchor = await anchors.getLatestAnchor('application', 'app-rewritten');
    expect(domain.checkAnchor(after.entries, anchor)).toEqual([
      { seq: 3, kind: 'anchor-mismatch', detail: expect.stringContaining('the chain was rewritten') },
    ]);
    const { stdout, code } = await promisify(execFile)(
      'node_modules/.bin/tsx',
      [
        'scripts/audit-verify.ts',
        '--endpoint',
        db.endpoint,
        '--table',
        TABLE,
        '--s3-endpoint',
        s3.endpoint,
        '--anchors-bucket',
        ANCHORS,
        '--subject',
        'application:app-rewritten',
        '--anchor',
      ],
      { encoding: 'utf8' },
    ).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: { code: number; stdout: string }) => ({ stdout: error.stdout, code: error.code }),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^application:app-rewritten {2}TAMPERED {2}3 entries, head 3 .*, anchored at 3$/m);
    expect(stdout).toMatch(/^ {2}entry 3: anchor-mismatch — /m);
    // --anchor never anchors a chain that does not fit: the anchor still holds the true head
    expect(await anchors.getLatestAnchor('application', 'app-rewritten')).toEqual(anchor);
  }, 60_000);

  describe('per batch: one head read, subjects packed into as few transactions as hold them', () => {
    /** A DynamoDB call of the recorder: the command, and a transaction's items or a read's keys as JSON. */
    interface Call {
      command: string;
      items: string[];
    }
    /**
     * Runs `act` while counting the recorder's DynamoDB calls at the SDK (`before` runs ahead of
     * each call, e.g. to let a concurrent consumer in).
     */
    async function counting<T>(
      act: () => Promise<T>,
      before?: (call: Call) => Promise<void>,
    ): Promise<{ result: T; calls: Call[] }> {
      const calls: Call[] = [];
      const name = 'count-recorder-calls';
      dynamodb.documentClient.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as {
            TransactItems?: unknown[];
            RequestItems?: Record<string, { Keys: unknown[] }>;
          };
          const call = {
            command: String(context.commandName),
            items: (input.TransactItems ?? input.RequestItems?.[TABLE]?.Keys ?? []).map((item) =>
              JSON.stringify(item),
            ),
          };
          calls.push(call);
          await before?.(call);
          return next(args);
        },
        { step: 'initialize', name },
      );
      try {
        return { result: await act(), calls };
      } finally {
        dynamodb.documentClient.middlewareStack.remove(name);
      }
    }
    const named = (calls: Call[], command: string) => calls.filter((c) => c.command === command);
    /** Does a transaction item touch this application's trail (its head or an entry)? */
    const touches = (item: string, id: string) => item.includes(`"AUDIT#application#${id}"`);

    const expectIssued = async (ids: string[]) => {
      for (const id of ids) {
        const { entries, head } = await repository.readAuditTrail('application', id);
        expect(
          entries.map((e) => e.action),
          id,
        ).toEqual(['created', 'status: submitted → issuing', 'status: issuing → issued']);
        expect(domain.verifyChain(entries, head), id).toMatchObject({ ok: true, entries: 3 });
        expect(await anchors.getLatestAnchor('application', id), id).toMatchObject({
          seq: 3,
          hash: head!.hash,
        });
      }
    };

    it('records 60 subjects of several changes each with one BatchGet and ceil(items / 100) transactions; a redelivery adds nothing', async () => {
      // Prepare: 60 applications' lifecycles interleaved: 3 entries each, 4 items with the head
      const ids = Array.from({ length: 60 }, (_, i) => `app-packed-${i}`);
      const lifecycles = ids.map(lifecycle);
      const batch = [0, 1, 2, 3].flatMap((step) => lifecycles.map((records) => records[step]!));

      // Act
      const first = await counting(() => useCases.recordStreamChanges(batch));
      const again = await counting(() => useCases.recordStreamChanges(batch));

      // Assess: 240 items in 3 transactions (not a read and 3 transactions per subject)
      expect(first.result).toEqual({ batchItemFailures: [] });
      expect(first.calls.filter((c) => c.command !== 'TransactWriteItemsCommand')).toEqual([
        { command: 'BatchGetItemCommand', items: expect.any(Array) },
      ]);
      expect(first.calls[0]!.items).toHaveLength(60);
      const transactions = named(first.calls, 'TransactWriteItemsCommand');
      const items = transactions.flatMap((t) => t.items);
      expect(items).toHaveLength(60 * 4);
      expect(transactions.length).toBe(Math.ceil(items.length / 100));
      // A subject's head and entries are never split over transactions
      for (const id of ids)
        expect(transactions.filter((t) => t.items.some((i) => touches(i, id)))).toHaveLength(1);
      await expectIssued(ids);
      // The redelivered batch: the heads are read, nothing is written, every chain is as it was
      expect(again.result).toEqual({ batchItemFailures: [] });
      expect(again.calls.map((c) => c.command)).toEqual(['BatchGetItemCommand']);
      await expectIssued(ids);
    });

    it('appends every subject exactly once when a concurrent consumer moves one head in a packed transaction, and re-reads only that transaction’s subjects', async () => {
      // Prepare: 40 applications created; their next changes make 40 × 3 = 120 items, two transactions
      const ids = Array.from({ length: 40 }, (_, i) => `app-moved-${i}`);
      const lifecycles = ids.map(lifecycle);
      expect(await useCases.recordStreamChanges(lifecycles.map((records) => records[0]!))).toEqual({
        batchItemFailures: [],
      });
      const batch = [1, 2, 3].flatMap((step) => lifecycles.map((records) => records[step]!));
      const moved = 'app-moved-17';
      let overlapped: Call | undefined;
      let overlapping: unknown;

      // Act: just before the transaction holding app-moved-17 goes, an overlapping consumer
      // (Lambda ran two pollers for a moment) appends that subject's next change
      const { result, calls } = await counting(
        () => useCases.recordStreamChanges(batch),
        async (call) => {
          const packed = call.command === 'TransactWriteItemsCommand' && call.items.length > 2;
          if (overlapped || !packed || !call.items.some((i) => touches(i, moved))) return;
          overlapped = call;
          overlapping = await useCases.recordStreamChanges([lifecycles[ids.indexOf(moved)]![2]!]);
        },
      );

      // Assess: that transaction stored nothing, its subjects went one at a time from a fresh read
      // of their heads, the other transaction's subjects were not read again
      expect(result).toEqual({ batchItemFailures: [] });
      expect(overlapped).toBeDefined();
      expect(overlapping).toEqual({ batchItemFailures: [] });
      const packed = named(calls, 'TransactWriteItemsCommand').filter((t) => t.items.length > 2);
      expect(packed).toHaveLength(2);
      const subjectsOf = (t: Call) => ids.filter((id) => t.items.some((i) => touches(i, id)));
      // Head reads: the batch's, the overlapping consumer's, one per subject of the cancelled pack
      const reads = named(calls, 'BatchGetItemCommand');
      expect(reads.map((r) => r.items.length)).toEqual([
        40,
        ...Array.from({ length: subjectsOf(overlapped!).length + 1 }, () => 1),
      ]);
      expect(subjectsOf(overlapped!).length).toBeLessThan(ids.length);
      await expectIssued(ids);
    });

    it('packs a subject of 99 new entries (100 items) whole, and appends one of 100 one at a time', async () => {
      // Prepare: two invoices, each created, then its amount changed 98 and 99 times
      const invoiceRecords = (invoiceId: string, changes: number) => {
        const keys = { pk: `INVOICE#${invoiceId}`, sk: 'INVOICE' };
        const base = {
          invoiceId,
          accountId: 'acct-1',
          status: 'issued',
          issuedAt: '2026-11-02T01:00:21.000Z',
        };
        return [
          record('INSERT', keys, undefined, { ...base, amount: 0 }),
          ...Array.from({ length: changes }, (_, i) =>
            record('MODIFY', keys, { ...base, amount: i }, { ...base, amount: i + 1 }),
          ),
        ];
      };
      const fits = invoiceRecords('inv-99', 98);
      const tooMany = invoiceRecords('inv-100', 99);

      // Act
      const { result, calls } = await counting(() => useCases.recordStreamChanges([...fits, ...tooMany]));

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      const transactions = named(calls, 'TransactWriteItemsCommand');
      expect(transactions.filter((t) => t.items.length === 100)).toHaveLength(1);
      expect(transactions.filter((t) => t.items.length === 2)).toHaveLength(100);
      expect(transactions).toHaveLength(101);
      // Heads read for the batch, then again for the subject appended one at a time
      expect(named(calls, 'BatchGetItemCommand').map((r) => r.items.length)).toEqual([2, 1]);
      for (const [id, count] of [
        ['inv-99', 99],
        ['inv-100', 100],
      ] as const) {
        const { entries, head } = await repository.readAuditTrail('invoice', id);
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        expect(domain.verifyChain(entries, head)).toMatchObject({ ok: true, entries: count });
      }
    }, 60_000);

    it('appends one subject at a time when the heads cannot be read together', async () => {
      // Prepare
      const ids = ['app-unbatched-1', 'app-unbatched-2'];
      const batch = ids.flatMap(lifecycle);

      // Act: reading the batch’s heads together is refused (a head read alone is not)
      const { result, calls } = await counting(
        () => useCases.recordStreamChanges(batch),
        async (call) => {
          if (call.command === 'BatchGetItemCommand' && call.items.length > 1) throw new Error('refused');
        },
      );

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(named(calls, 'BatchGetItemCommand').map((r) => r.items.length)).toEqual([2, 1, 1]);
      expect(named(calls, 'TransactWriteItemsCommand')).toHaveLength(6);
      await expectIssued(ids);
    });
  });
});
