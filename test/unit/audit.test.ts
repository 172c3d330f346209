import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageOf, isAfter } from '#adapters/audit-stream';
import {
  type AuditEntry,
  actorOf,
  changeStamp,
  checkAnchor,
  describeChange,
  GENESIS_HASH,
  hashEntry,
  type ItemChange,
  nextEntry,
  type Subject,
  verifyChain,
} from '#domain/audit';
import { canonicalJson } from '#domain/canonical-json';

const application: Subject = { type: 'application', id: 'app-1' };
const invoice: Subject = { type: 'invoice', id: 'inv-1' };
const title: Subject = { type: 'title', id: 'ttl-1', accountId: 'acct-1' };
const streamAt = new Date('2026-11-02T03:04:00Z');

function chain(length: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < length; i++) {
    entries.push(
      nextEntry(
        entries.at(-1),
        application,
        {
          at: new Date(Date.UTC(2026, 10, 2, 3, 4, i)).toISOString(),
          actor: i === 0 ? 'account:acct-1' : 'system',
          action: i === 0 ? 'created' : `status: s${i - 1} → s${i}`,
          ...(i % 2 === 1 ? { reason: `because ${i}` } : {}),
        },
        String(100 + i),
      ),
    );
  }
  return entries;
}

const headOf = (entries: AuditEntry[]) => {
  const last = entries.at(-1)!;
  return { seq: last.seq, hash: last.hash, streamSequence: last.streamSequence };
};

describe('the hash chain', () => {
  it('writes one canonical JSON per value: sorted keys, no undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: 'é' }, z: undefined })).toBe(
      '{"a":{"c":"é","d":[1,{"y":2}]},"b":1}',
    );
  });

  it('writes parsed JSON as the Idempotency-Key request hashes always did (stored keys still match)', () => {
    // The text the request hashes were computed with before they shared this function.
    const requestText = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(requestText).join(',')}]`;
      if (value && typeof value === 'object') {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${requestText(v)}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(requestText(value));
      }),
    );
  });

  it('hashes previousHash and the canonical content with SHA-256 (a stored chain stays verifiable)', () => {
    // Pinned: changing the hashed text would make every stored chain fail verification. Outside
    // the code: printf '%s%s' <64 zeros> '{"action":"created",…,"subjectType":"application"}' | sha256sum
    const content = {
      subjectType: 'application' as const,
      subjectId: 'app-1',
      seq: 1,
      at: '2026-11-02T03:04:05.000Z',
      actor: 'account:acct-1',
      action: 'created',
    };
    expect(hashEntry(GENESIS_HASH, content)).toBe(
      '590b95c1c0a59e46bab3afc7e62bd6a168a48883a13637e69f8c12edcb445544',
    );
  });

  it('starts at seq 1 from 64 zeros and links each entry to the hash of the one before', () => {
    const entries = chain(3);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.previousHash).toBe('0'.repeat(64));
    expect(entries[1]!.previousHash).toBe(entries[0]!.hash);
    expect(entries[2]!.previousHash).toBe(entries[1]!.hash);
    expect(entries[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyChain(entries, headOf(entries))).toEqual({ ok: true, entries: 3, problems: [] });
  });

  it('reports an entry whose reason was edited, and only that entry', () => {
    const entries = chain(5);
    const head = headOf(entries);
    entries[2] = { ...entries[2]!, reason: 'edited later' };
    expect(verifyChain(entries, head).problems).toEqual([
      { seq: 3, kind: 'hash-mismatch', detail: expect.any(String) },
    ]);
  });

  it('reports a broken link at the successor when the edit also rewrote the stored hash', () => {
    const entries = chain(4);
    const head = headOf(entries);
    const forged = { ...entries[1]!, actor: 'staff:someone-else' };
    entries[1] = { ...forged, hash: hashEntry(forged.previousHash, forged) };
    expect(verifyChain(entries, head).problems).toEqual([
      { seq: 3, kind: 'broken-link', detail: expect.any(String) },
    ]);
  });

  it('reports a rewritten last entry against the head', () => {
    const entries = chain(3);
    const head = headOf(entries);
    const forged = { ...entries[2]!, action: 'deleted' };
    entries[2] = { ...forged, hash: hashEntry(forged.previousHash, forged) };
    expect(verifyChain(entries, head).problems).toEqual([
      { seq: 3, kind: 'broken-link', detail: expect.stringContaining('head') },
    ]);
  });

  it.each([
    ['the first entry', 0, 1],
    ['a middle entry', 2, 3],
  ])('reports %s removed as a gap', (_, index, seq) => {
    const entries = chain(4);
    const head = headOf(entries);
    entries.splice(index, 1);
    expect(verifyChain(entries, head).problems).toEqual([{ seq, kind: 'gap', detail: expect.any(String) }]);
  });

  it('reports a malformed stored entry instead of failing on it', () => {
    const entries = chain(2);
    const head = headOf(entries);
    const stray = {} as AuditEntry; // an item written under the next sort key by hand
    expect(verifyChain([...entries, stray], head).problems.map((p) => [p.seq, p.kind])).toEqual([
      [3, 'hash-mismatch'],
      [3, 'broken-link'],
      [3, 'broken-link'],
    ]);
  });

  it('reports removed last entries as a gap against the head', () => {
    const entries = chain(4);
    const head = headOf(entries);
    expect(verifyChain(entries.slice(0, 2), head).problems).toEqual([
      { seq: 3, kind: 'gap', detail: 'the chain ends at entry 2 but its head is at entry 4' },
    ]);
  });

  it('finds any single edited field of any single entry, at that entry alone (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.constantFrom('at', 'actor', 'action', 'reason', 'seq', 'subjectId'),
        fc.string({ minLength: 1 }),
        (length, pick, field, value) => {
          const entries = chain(length);
          const head = headOf(entries);
          const index = pick % length;
          const original = entries[index]!;
          const edited = {
            ...original,
            [field]:
              field === 'seq'
                ? original.seq + 1000
                : `${String(original[field as keyof AuditEntry])}${value}`,
          } as AuditEntry;
          entries[index] = edited;
          const problems = verifyChain(entries, head).problems;
          expect(problems[0]).toMatchObject({ seq: edited.seq, kind: 'hash-mismatch' });
          // An edited seq also breaks the numbering; any other edit is that one finding only.
          if (field !== 'seq') expect(problems).toHaveLength(1);
        },
      ),
    );
  });

  it('compares stream sequence numbers as integers, beyond 2^53', () => {
    expect(isAfter('000000000000000000010', '000000000000000000009')).toBe(true);
    expect(isAfter('9', '10')).toBe(false);
    expect(isAfter('100000000000000000000000000001', '100000000000000000000000000000')).toBe(true);
    expect(isAfter('100000000000000000000000000000', '100000000000000000000000000000')).toBe(false);
    expect(isAfter('1', undefined)).toBe(true);
  });

  it('reads a stream image as plain values without the keys that place the item', () => {
    expect(
      imageOf({
        pk: { S: 'APPLICATION#app-1' },
        sk: { S: 'APPLICATION' },
        gsi1pk: { S: 'ACCOUNT#acct-1#APPLICATIONS' },
        gsi1sk: { S: '2026-11-02T01:00:00.000Z#app-1' },
        gsi2pk: { S: 'WORKFLOW_PENDING' },
        gsi2sk: { S: 'x' },
        status: { S: 'submitted' },
        total: { N: '1200' },
        delivery: { M: { medium: { S: 'email' }, pk: { S: 'kept inside a map' } } },
        timeline: { L: [{ M: { at: { S: '2026-11-02T01:00:00.000Z' } } }] },
        flag: { BOOL: true },
        gone: { NULL: true },
      }),
    ).toEqual({
      status: 'submitted',
      total: 1200,
      delivery: { medium: 'email', pk: 'kept inside a map' },
      timeline: [{ at: '2026-11-02T01:00:00.000Z' }],
      flag: true,
      gone: null,
    });
  });
});

describe('the chain against its anchor outside the table', () => {
  const anchorOf = (entry: AuditEntry) => ({
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    seq: entry.seq,
    hash: entry.hash,
    anchoredAt: '2026-11-02T04:00:00.000Z',
  });

  it('accepts a chain that holds its anchored entry, also after it grew, and a chain never anchored', () => {
    const entries = chain(5);
    expect(checkAnchor(entries, anchorOf(entries[4]!))).toEqual([]);
    expect(checkAnchor(entries, anchorOf(entries[2]!))).toEqual([]);
    expect(checkAnchor(entries, undefined)).toEqual([]);
  });

  it('reports a chain rewritten as a whole: consistent in itself, but not with its anchor', () => {
    const entries = chain(4);
    const rewritten: AuditEntry[] = [];
    for (const entry of entries) {
      rewritten.push(
        nextEntry(rewritten.at(-1), application, { ...entry, actor: 'staff:someone' }, entry.streamSequence),
      );
    }
    expect(verifyChain(rewritten, headOf(rewritten)).ok).toBe(true);
    expect(checkAnchor(rewritten, anchorOf(entries[3]!))).toEqual([
      { seq: 4, kind: 'anchor-mismatch', detail: expect.stringContaining('the chain was rewritten') },
    ]);
  });

  it('reports a chain cut back behind its anchor (entries removed, head moved back)', () => {
    const entries = chain(4);
    expect(checkAnchor(entries.slice(0, 2), anchorOf(entries[3]!))).toEqual([
      { seq: 4, kind: 'anchor-mismatch', detail: expect.stringContaining('ends at entry 2') },
    ]);
  });
});

describe('the stamp writers put on items', () => {
  it('carries who, when, a fresh change id and a trimmed reason', () => {
    const now = new Date('2026-11-02T03:04:05Z');
    const a = changeStamp('staff:fin-1', now, '  wrong tax ID ');
    const b = changeStamp('staff:fin-1', now);
    expect(a).toEqual({
      changedBy: 'staff:fin-1',
      changedAt: '2026-11-02T03:04:05.000Z',
      changeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      changeReason: 'wrong tax ID',
    });
    expect(b.changeReason).toBeUndefined();
    expect(b.changeId).not.toBe(a.changeId);
  });

  it.each([
    [{ accountId: 'acct-1', groups: [] }, 'account:acct-1'],
    [{ accountId: 'fin-7', groups: ['finance'] }, 'staff:fin-7'],
    [{ accountId: 'billing', groups: ['billing-system'] }, 'system:billing'],
  ])('names the caller %j as %s', (principal, actor) => {
    expect(actorOf(principal)).toBe(actor);
  });
});

const app = (fields: Record<string, unknown>) => ({
  pk: 'APPLICATION#app-1',
  sk: 'APPLICATION',
  applicationId: 'app-1',
  accountId: 'acct-1',
  submittedAt: '2026-11-02T01:00:00.000Z',
  timeline: [{ at: '2026-11-02T01:00:00.000Z', status: 'submitted' }],
  ...fields,
});
const modify = (oldImage: Record<string, unknown>, newImage: Record<string, unknown>): ItemChange => ({
  eventName: 'MODIFY',
  oldImage,
  newImage,
  streamAt,
});

describe('describeChange: applications', () => {
  it('records an accepted application as created by its account, at its submission', () => {
    const change: ItemChange = { eventName: 'INSERT', newImage: app({ status: 'submitted' }), streamAt };
    expect(describeChange(application, change)).toEqual({
      at: '2026-11-02T01:00:00.000Z',
      actor: 'account:acct-1',
      action: 'created',
    });
  });

  it('ignores an application while it reserves, and records its acceptance as created', () => {
    const reserving = app({ status: 'reserving' });
    expect(
      describeChange(application, { eventName: 'INSERT', newImage: reserving, streamAt }),
    ).toBeUndefined();
    expect(
      describeChange(application, { eventName: 'REMOVE', oldImage: reserving, streamAt }),
    ).toBeUndefined();
    expect(describeChange(application, modify(reserving, app({ status: 'abandoned' })))).toBeUndefined();
    expect(describeChange(application, modify(reserving, app({ status: 'submitted' })))).toMatchObject({
      action: 'created',
      actor: 'account:acct-1',
    });
  });

  it('records a status change with the timeline note as its reason, at the timeline entry', () => {
    const before = app({ status: 'submitted' });
    const after = app({
      status: 'issuing',
      timeline: [
        ...before.timeline,
        { at: '2026-11-02T01:00:20.123Z', status: 'issuing', note: 'approved by rule' },
      ],
    });
    expect(describeChange(application, modify(before, after))).toEqual({
      at: '2026-11-02T01:00:20.123Z',
      actor: 'system',
      action: 'status: submitted → issuing',
      reason: 'approved by rule',
    });
  });

  it.each([
    ['in-review', 'rejected', 'staff'],
    ['in-review', 'issuing', 'staff'],
    ['submitted', 'cancelled', 'account:acct-1'],
    ['issuing', 'failed', 'system'],
  ])('credits %s → %s to %s when nobody stamped it', (from, to, actor) => {
    const change = modify(app({ status: from }), app({ status: to }));
    expect(describeChange(application, change)?.actor).toBe(actor);
  });

  it('gives a failure its reason', () => {
    const change = modify(app({ status: 'issuing' }), app({ status: 'failed', failureReason: 'IssueError' }));
    expect(describeChange(application, change)).toMatchObject({
      reason: 'IssueError',
      at: streamAt.toISOString(),
    });
  });

  it('records the e-mail as e-mailed, without the address from the timeline note', () => {
    const before = app({ status: 'issued' });
    const after = app({
      status: 'issued',
      emailedAt: '2026-11-02T01:00:30.000Z',
      timeline: [
        ...before.timeline,
        { at: '2026-11-02T01:00:30.000Z', status: 'issued', note: 'e-mailed to a@b.c' },
      ],
    });
    expect(describeChange(application, modify(before, after))).toEqual({
      at: '2026-11-02T01:00:30.000Z',
      actor: 'system',
      action: 'e-mailed',
    });
  });

  it('records an e-mail marked without a timeline step as e-mailed, at the time of the mark', () => {
    const change = modify(
      app({ status: 'issued' }),
      app({ status: 'issued', emailedAt: '2026-11-02T01:00:31.000Z' }),
    );
    expect(describeChange(application, change)).toEqual({
      at: '2026-11-02T01:00:31.000Z',
      actor: 'system',
      action: 'e-mailed',
    });
  });

  it('records a timeline note without a status change as noted', () => {
    const before = app({ status: 'issued' });
    const after = app({
      status: 'issued',
      timeline: [
        ...before.timeline,
        { at: '2026-11-02T02:00:00.000Z', status: 'issued', note: 'delivery failed' },
      ],
    });
    expect(describeChange(application, modify(before, after))).toMatchObject({
      action: 'noted',
      reason: 'delivery failed',
    });
  });

  it.each([
    ['index keys removed', { gsi2pk: 'WORKFLOW_PENDING', gsi2sk: 'x' }, {}],
    ['a review task token', {}, { reviewTaskToken: 'token' }],
    ['release chunk markers', { releasedChunks: [0] }, { releasedChunks: [0, 1] }],
  ])('does not audit bookkeeping only: %s', (_, extraBefore, extraAfter) => {
    const change = modify(
      app({ status: 'in-review', ...extraBefore }),
      app({ status: 'in-review', ...extraAfter }),
    );
    expect(describeChange(application, change)).toBeUndefined();
  });
});

describe('describeChange: invoices and titles', () => {
  const inv = (fields: Record<string, unknown>) => ({
    invoiceId: 'inv-1',
    accountId: 'acct-1',
    status: 'issued',
    issuedAt: '2026-11-02T01:00:21.000Z',
    settledChunks: [],
    ...fields,
  });
  const ttl = (fields: Record<string, unknown>) => ({
    titleId: 'ttl-1',
    accountId: 'acct-1',
    type: 'enterprise-special',
    name: '杭州示例科技有限公司',
    status: 'pending-review',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...fields,
  });

  it('records an issued invoice as created by the system at its issue, its PDF, not its settlement', () => {
    expect(describeChange(invoice, { eventName: 'INSERT', newImage: inv({}), streamAt })).toEqual({
      at: '2026-11-02T01:00:21.000Z',
      actor: 'system',
      action: 'created',
    });
    expect(describeChange(invoice, modify(inv({}), inv({ settledChunks: [0] })))).toBeUndefined();
    expect(describeChange(invoice, modify(inv({}), inv({ pdfKey: 'k' })))).toMatchObject({
      action: 'PDF stored',
      at: streamAt.toISOString(),
    });
  });

  it('records a title’s creation, edit and deletion as its account’s', () => {
    expect(describeChange(title, { eventName: 'INSERT', newImage: ttl({}), streamAt })).toEqual({
      at: '2026-11-01T00:00:00.000Z',
      actor: 'account:acct-1',
      action: 'created',
    });
    const edited = ttl({ name: '新名称有限公司', remark: 'x', updatedAt: '2026-11-03T00:00:00.000Z' });
    expect(describeChange(title, modify(ttl({}), edited))).toEqual({
      at: '2026-11-03T00:00:00.000Z',
      actor: 'account:acct-1',
      action: 'updated: name, remark',
    });
    expect(describeChange(title, { eventName: 'REMOVE', oldImage: ttl({}), streamAt })).toMatchObject({
      action: 'deleted',
      actor: 'account:acct-1',
    });
  });

  it('records finance’s rejection of a special title with its reason', () => {
    const after = ttl({
      status: 'rejected',
      rejectionReason: '税号不符',
      decidedAt: '2026-11-02T05:00:00.000Z',
    });
    expect(describeChange(title, modify(ttl({}), after))).toEqual({
      at: '2026-11-02T05:00:00.000Z',
      actor: 'staff',
      action: 'status: pending-review → rejected',
      reason: '税号不符',
    });
  });
});

describe('describeChange: returns and copy requests', () => {
  const copy: Subject = { type: 'copy-request', id: 'inv-1' };
  const ret: Subject = { type: 'return', id: 'ret-1' };
  const request = (fields: Record<string, unknown>) => ({
    requestId: 'copy-1',
    invoiceId: 'inv-1',
    invoiceNumber: '11010826110200000001',
    accountId: 'acct-1',
    status: 'open',
    requestedAt: '2026-11-05T02:00:00.000Z',
    ...fields,
  });
  const invoiceReturn = (fields: Record<string, unknown>) => ({
    returnId: 'ret-1',
    accountId: 'acct-1',
    invoiceId: 'inv-1',
    reason: 'wrong-title',
    medium: 'electronic',
    status: 'requested',
    requestedAt: '2026-11-06T02:00:00.000Z',
    restoredChunks: [],
    ...fields,
  });

  it('records a copy request as its account’s, its sending as finance’s, and a later request anew', () => {
    expect(describeChange(copy, { eventName: 'INSERT', newImage: request({}), streamAt })).toEqual({
      at: '2026-11-05T02:00:00.000Z',
      actor: 'account:acct-1',
      action: 'created',
    });
    const sent = request({ status: 'sent', sentAt: '2026-11-05T08:00:00.000Z' });
    expect(describeChange(copy, modify(request({}), sent))).toMatchObject({
      actor: 'staff',
      action: 'status: open → sent',
    });
    const again = request({ requestId: 'copy-2', requestedAt: '2026-12-01T00:00:00.000Z' });
    expect(describeChange(copy, modify(sent, again))).toEqual({
      at: '2026-12-01T00:00:00.000Z',
      actor: 'account:acct-1',
      action: 'created',
    });
  });

  it('records a return’s request as its account’s and each step of it, but not its bookkeeping', () => {
    expect(describeChange(ret, { eventName: 'INSERT', newImage: invoiceReturn({}), streamAt })).toEqual({
      at: '2026-11-06T02:00:00.000Z',
      actor: 'account:acct-1',
      action: 'created',
    });
    expect(
      describeChange(ret, modify(invoiceReturn({}), invoiceReturn({ status: 'crediting' }))),
    ).toMatchObject({ actor: 'system', action: 'status: requested → crediting' });
    expect(
      describeChange(ret, modify(invoiceReturn({}), invoiceReturn({ redInvoiceNumber: '1101082612' }))),
    ).toMatchObject({ action: 'updated: redInvoiceNumber' });
    expect(
      describeChange(ret, modify(invoiceReturn({}), invoiceReturn({ restoredChunks: [0], taskToken: 't' }))),
    ).toBeUndefined();
  });
});

describe('describeChange: stamped writes', () => {
  const stamp = { changedBy: 'staff:fin-1', changedAt: '2026-11-02T06:00:00.000Z', changeId: 'c-2' };

  it('takes who, when and why from a fresh stamp', () => {
    const change = modify(
      app({ status: 'in-review', changeId: 'c-1', changedBy: 'account:acct-1' }),
      app({ status: 'rejected', ...stamp, changeReason: 'amount disputed' }),
    );
    expect(describeChange(application, change)).toEqual({
      at: '2026-11-02T06:00:00.000Z',
      actor: 'staff:fin-1',
      action: 'status: in-review → rejected',
      reason: 'amount disputed',
    });
  });

  it('ignores a stamp the write did not renew (same changeId): it belongs to an earlier writer', () => {
    const old = app({ status: 'issuing', ...stamp, changeReason: 'amount disputed' });
    const change = modify(old, { ...old, status: 'issued' });
    expect(describeChange(application, change)).toMatchObject({ actor: 'system' });
    expect(describeChange(application, change)?.reason).toBeUndefined();
  });

  it('audits a stamped write even when it changed only internal fields', () => {
    const change = modify(app({ status: 'issued' }), app({ status: 'issued', ...stamp, pending: true }));
    expect(describeChange(application, change)).toMatchObject({
      action: 'updated: pending',
      actor: 'staff:fin-1',
    });
  });
});
