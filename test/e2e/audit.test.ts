import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type AuditEntry, nextEntry } from '#domain/audit';
import { type ApiClient, clientFor, givenAccount, order, uniqueId, waitFor } from '../support/api.ts';
import { documents } from '../support/aws.ts';

const ZEROS = '0'.repeat(64);

interface Trail {
  items: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    reason?: string;
    hash: string;
    previousHash: string;
  }[];
  nextCursor?: string;
}

/** An account with an issued, e-mailed electronic invoice (the thin slice's lifecycle). */
async function issuedApplication() {
  const accountId = uniqueId('audit');
  await givenAccount(accountId, { records: [order(uniqueId('o'), { cashAmount: 10_600 })] });
  const customer = await clientFor(accountId);
  const title = await customer.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  const created = await customer.post('/v1/applications', {
    mode: 'amount',
    amount: 10_600,
    titleId: title.body.titleId,
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
  });
  expect(created.status).toBe(201);
  const applicationId = created.body.applicationId as string;
  // E-mailed: issued, or delivered where e-mailing completes electronic delivery.
  const issued = await waitFor(async () => {
    const r = await customer.get(`/v1/applications/${applicationId}`);
    return r.body.timeline?.some((t: { note?: string }) => t.note?.includes(`${accountId}@example.com`))
      ? r.body
      : undefined;
  }, 'the application to be issued and e-mailed');
  return {
    accountId,
    customer,
    applicationId,
    titleId: title.body.titleId as string,
    invoiceId: issued.invoices[0].invoiceId as string,
    timeline: issued.timeline as Step[],
    /** Its status steps and the e-mail. */
    expectedEntries: statusSteps(issued.timeline).length + 1,
  };
}

/** The trail once the recorder (it follows the table's stream) has `count` entries. */
async function trailOf(client: ApiClient, path: string, count: number): Promise<Trail> {
  return waitFor(async () => {
    const r = await client.get(path);
    expect(r.status).toBe(200);
    return (r.body as Trail).items.length >= count ? (r.body as Trail) : undefined;
  }, `${path} to have ${count} entries`);
}

type Step = { at: string; status: string; note?: string };

/** What the trail must say for a timeline: created, then each change of status with its note. */
function statusSteps(timeline: Step[]): [string, string, string | undefined][] {
  return timeline.flatMap((step, i): [string, string, string | undefined][] => {
    const previous = timeline[i - 1];
    if (!previous) return [['created', step.at, undefined]];
    return previous.status === step.status
      ? []
      : [[`status: ${previous.status} → ${step.status}`, step.at, step.note]];
  });
}

function expectChained(trail: Trail): void {
  trail.items.forEach((entry, i) => {
    expect(entry.seq).toBe(i + 1);
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.previousHash).toBe(i === 0 ? ZEROS : trail.items[i - 1]!.hash);
    expect(entry.at).toMatch(/\+08:00$/);
  });
}

describe('audit trail over HTTP (issue 7: who did what, when and why; tamper-evident)', () => {
  let lifecycle: Awaited<ReturnType<typeof issuedApplication>>;
  let finance: ApiClient;

  const applicationTrail = () => `/v1/applications/${lifecycle.applicationId}/audit`;

  beforeAll(async () => {
    lifecycle = await issuedApplication();
    finance = await clientFor(uniqueId('staff'), ['finance']);
  });

  it('audit: every state change of an application is recorded in order, hash-chained, with who, when and why', async () => {
    // Act
    const trail = await trailOf(lifecycle.customer, applicationTrail(), lifecycle.expectedEntries);

    // Assess: its creation and each status change of its own timeline, at the same instants and
    // with the same notes; and the e-mail (the one change that is not a status of its own)
    expect(trail.items.slice(0, 3).map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['created', `account:${lifecycle.accountId}`, undefined],
      ['status: submitted → issuing', 'system', 'approved by rule'],
      ['status: issuing → issued', 'system', undefined],
    ]);
    expect(trail.items.filter((e) => e.action !== 'e-mailed').map((e) => [e.action, e.at, e.reason])).toEqual(
      statusSteps(lifecycle.timeline),
    );
    const mailed = trail.items.filter((e) => e.action === 'e-mailed');
    expect(mailed).toHaveLength(1);
    const issuedAt = trail.items.find((e) => e.action.endsWith('→ issued'))!.at;
    expect(Date.parse(mailed[0]!.at)).toBeGreaterThanOrEqual(Date.parse(issuedAt));
    expect(trail.items).toHaveLength(lifecycle.expectedEntries);
    expectChained(trail);
  });

  it('audit: an issued invoice’s trail shows its creation and its PDF, chained from 64 zeros', async () => {
    const trail = await trailOf(lifecycle.customer, `/v1/invoices/${lifecycle.invoiceId}/audit`, 2);
    expect(trail.items.map((e) => [e.action, e.actor])).toEqual([
      ['created', 'system'],
      ['PDF stored', 'system'],
    ]);
    expectChained(trail);
  });

  it('audit: pages through a trail with limit and cursor', async () => {
    const count = lifecycle.expectedEntries;
    await trailOf(lifecycle.customer, applicationTrail(), count);
    const path = applicationTrail();
    const first = await lifecycle.customer.get(`${path}?limit=3`);
    const rest = await lifecycle.customer.get(`${path}?limit=3&cursor=${first.body.nextCursor}`);
    const bad = await lifecycle.customer.get(`${path}?cursor=bm90LWEtY3Vyc29y`);
    expect(first.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    expect(rest.body.items.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: count - 3 }, (_, i) => i + 4),
    );
    expect(rest.body.nextCursor).toBeUndefined();
    expect(bad.status).toBe(400);
  });

  it('audit: another account’s application or invoice trail answers 404, as if it did not exist (invariant 6)', async () => {
    const intruder = await clientFor(uniqueId('intruder'));
    const application = await intruder.get(`/v1/applications/${lifecycle.applicationId}/audit`);
    const invoice = await intruder.get(`/v1/invoices/${lifecycle.invoiceId}/audit`);
    const unknown = await lifecycle.customer.get('/v1/applications/app_does-not-exist/audit');
    expect(application.status).toBe(404);
    expect(application.body.code).toBe('NOT_FOUND');
    expect(invoice.status).toBe(404);
    expect(unknown.status).toBe(404);
  });

  it('audit: verification is for finance staff; a customer gets 403', async () => {
    const response = await lifecycle.customer.get(
      `/v1/admin/audit/application/${lifecycle.applicationId}/verify`,
    );
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
  });

  it('audit: a title’s creation is on its trail, verified whole', async () => {
    const verified = await waitFor(async () => {
      const r = await finance.get(`/v1/admin/audit/title/${lifecycle.titleId}/verify`);
      return r.status === 200 ? r.body : undefined;
    }, 'the title trail');
    expect(verified).toMatchObject({ subjectType: 'title', ok: true, entries: 1, problems: [] });
  });

  it('audit: an entry edited directly in DynamoDB is reported by verification — exactly that entry', async () => {
    // Prepare: the whole trail is there and verifies
    const path = `/v1/admin/audit/application/${lifecycle.applicationId}/verify`;
    const trail = await trailOf(lifecycle.customer, applicationTrail(), lifecycle.expectedEntries);
    // (the recorder anchors the head outside the table right after appending)
    const before = await waitFor(async () => {
      const r = await finance.get(path);
      return r.body.anchor?.seq === trail.items.length ? r : undefined;
    }, 'the application trail to be anchored');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      subjectType: 'application',
      subjectId: lifecycle.applicationId,
      ok: true,
      entries: trail.items.length,
      head: { seq: trail.items.length, hash: trail.items.at(-1)!.hash },
      anchor: {
        seq: trail.items.length,
        hash: trail.items.at(-1)!.hash,
        anchoredAt: expect.stringMatching(/\+08:00$/),
      },
      problems: [],
    });

    // Act: someone with table access rewrites who did entry 2 and why
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: `AUDIT#application#${lifecycle.applicationId}`, sk: 'ENTRY#0000000002' },
        UpdateExpression: 'SET actor = :actor, reason = :reason',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':actor': 'staff:someone', ':reason': 'approved by a manager' },
      }),
    );
    const after = await finance.get(path);

    // Assess
    expect(after.status).toBe(200);
    expect(after.body.ok).toBe(false);
    expect(after.body.problems).toEqual([{ seq: 2, kind: 'hash-mismatch', detail: expect.any(String) }]);
    const shown = await lifecycle.customer.get(`/v1/applications/${lifecycle.applicationId}/audit`);
    expect(shown.body.items[1]).toMatchObject({ actor: 'staff:someone', hash: trail.items[1]!.hash });
  });

  it('audit: verification of a subject without any trail answers 404', async () => {
    const response = await finance.get('/v1/admin/audit/invoice/inv_never-issued/verify');
    expect(response.status).toBe(404);
  });

  it('audit: a chain rewritten as a whole in DynamoDB (every hash recomputed) is reported against its anchor', async () => {
    // Prepare: the invoice's trail is complete and anchored outside the table
    const path = `/v1/admin/audit/invoice/${lifecycle.invoiceId}/verify`;
    await trailOf(lifecycle.customer, `/v1/invoices/${lifecycle.invoiceId}/audit`, 2);
    const before = await waitFor(async () => {
      const r = await finance.get(path);
      return r.body.anchor?.seq === 2 ? r.body : undefined;
    }, 'the invoice trail to be anchored');
    expect(before).toMatchObject({ ok: true, entries: 2, anchor: { seq: 2, hash: before.head.hash } });
    expect(before.anchor.anchoredAt).toMatch(/\+08:00$/);

    // Act: someone with table access rewrites who stored the PDF, recomputes every hash and
    // moves the head along, so that the chain in the table is consistent again
    const trailKey = `AUDIT#invoice#${lifecycle.invoiceId}`;
    const { Items = [] } = await documents().send(
      new QueryCommand({
        TableName: inject('tableName'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': trailKey, ':entry': 'ENTRY#' },
      }),
    );
    let forged: AuditEntry | undefined;
    for (const { pk, sk, ...entry } of Items as (AuditEntry & { pk: string; sk: string })[]) {
      const actor = entry.seq === 2 ? 'staff:someone' : entry.actor;
      forged = nextEntry(
        forged,
        { type: 'invoice', id: lifecycle.invoiceId },
        { ...entry, actor },
        entry.streamSequence,
      );
      await documents().send(new PutCommand({ TableName: inject('tableName'), Item: { pk, sk, ...forged } }));
    }
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: trailKey, sk: 'HEAD' },
        UpdateExpression: 'SET #hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': forged!.hash },
      }),
    );
    const after = await finance.get(path);

    // Assess: the chain holds together, but not with its anchor
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      ok: false,
      entries: 2,
      head: { seq: 2, hash: forged!.hash },
      anchor: { seq: 2, hash: before.head.hash },
      problems: [{ seq: 2, kind: 'anchor-mismatch', detail: expect.stringContaining('rewritten') }],
    });
    expect(after.body.problems).toHaveLength(1);
  });
});
