/**
 * The audit trail (issue 7): every state change of an application, an invoice or an invoice
 * title becomes an append-only entry saying who, when, what and why, chained by hashes so that
 * editing or removing a stored entry is detectable.
 *
 * Entries are not written by the code that changes things: the table's stream feeds one
 * consumer (functions/audit/record-changes.ts), so no writer can forget or skip it. What a
 * writer can add is *who* and *why*, by stamping the item it writes:
 *
 * ## The stamp convention (for every writer of applications, invoices and titles)
 * Put `changeStamp(actor, now, reason?)` on the item in the same write: spread it into a Put's
 * Item, or `SET` its fields in an Update (`stampUpdate()` in #adapters/audit-repository builds
 * the expression parts). Fields: `changedBy`, `changedAt`, `changeId` (new on every write) and
 * `changeReason` (REMOVE it when there is none, or an older reason sticks to the item).
 * - actor: `account:<accountId>` (a customer, from the token), `staff:<accountId claim>`
 *   (finance; `actorOf(principal)` picks the right one), `system:<component>` (e.g.
 *   `system:workflow`, `system:billing`).
 * - reason: the customer's or staff's words (a rejection reason, a return reason code) or the
 *   rule that decided (`approved by rule`). No personal data beyond what the item holds.
 * The consumer trusts a stamp only when `changeId` differs from the old image's, so a write that
 * does not stamp is never credited to the previous writer. A stamped write is always audited.
 *
 * Unstamped writes get a best-effort actor and reason (see `describeChange`): the customer for
 * what only customers do (creating, cancelling, editing or deleting titles), `staff` for
 * decisions on reviews, `system` otherwise. Writes that change only internal bookkeeping
 * (chunk markers, task tokens) are not audited.
 */
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '#domain/canonical-json';

/**
 * What is audited: applications, invoices, titles, returns of invoices (R34) and copy requests
 * (R35; one item per invoice, so a copy request's subject id is its invoice's id).
 */
export type SubjectType = 'application' | 'invoice' | 'title' | 'return' | 'copy-request';
export const SUBJECT_TYPES: readonly SubjectType[] = [
  'application',
  'invoice',
  'title',
  'return',
  'copy-request',
];

export interface Subject {
  type: SubjectType;
  id: string;
  /** The account the subject belongs to, when the change shows it (for actor fallbacks). */
  accountId?: string;
}

/** What an entry says; the hash covers exactly these fields. */
export interface AuditContent {
  subjectType: SubjectType;
  subjectId: string;
  seq: number;
  /** UTC ISO-8601. */
  at: string;
  actor: string;
  action: string;
  reason?: string;
}

export interface AuditEntry extends AuditContent {
  /** SHA-256 (hex) of previousHash followed by the canonical JSON of the content. */
  hash: string;
  previousHash: string;
  /** Where in the stream of changes the entry came from (opaque here; see #adapters/audit-stream). */
  streamSequence: string;
  /**
   * The correlation id the subject carries (an application's, issue 16), so a support ticket
   * leads to the entry. Stored beside the entry, outside the hash: it says where to look, not
   * what happened.
   */
  correlationId?: string;
}

/** The end of a chain: the last entry's seq and hash, and the last change applied. */
export interface AuditHead {
  seq: number;
  hash: string;
  streamSequence: string;
}

/** A chain's head as written outside the table (see #adapters/audit-anchors). */
export interface AuditAnchor {
  subjectType: SubjectType;
  subjectId: string;
  seq: number;
  hash: string;
  /** UTC ISO-8601. */
  anchoredAt: string;
}

/** The previousHash of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const MAX_REASON_LENGTH = 500;

// ---------------------------------------------------------------------------------------------
// Writers' stamp

export interface ChangeStamp {
  changedBy: string;
  changedAt: string;
  changeId: string;
  changeReason?: string;
}

/** What a writer puts on the item it changes (see the convention above). */
export function changeStamp(actor: string, now: Date, reason?: string): ChangeStamp {
  const trimmed = reason?.trim();
  return {
    changedBy: actor,
    changedAt: now.toISOString(),
    changeId: randomUUID(),
    ...(trimmed ? { changeReason: trimmed } : {}),
  };
}

/** The actor for a request's caller: finance staff by their id, customers by their account. */
export function actorOf(principal: { accountId?: string; groups: readonly string[] }): string {
  if (principal.groups.includes('finance')) return `staff:${principal.accountId ?? 'unknown'}`;
  if (principal.groups.includes('billing-system')) return 'system:billing';
  return principal.accountId ? `account:${principal.accountId}` : 'system';
}

// ---------------------------------------------------------------------------------------------
// Hash chain

export function contentOf(entry: AuditContent): AuditContent {
  const { subjectType, subjectId, seq, at, actor, action, reason } = entry;
  return { subjectType, subjectId, seq, at, actor, action, ...(reason === undefined ? {} : { reason }) };
}

export function hashEntry(previousHash: string, content: AuditContent): string {
  return createHash('sha256')
    .update(previousHash)
    .update(canonicalJson(contentOf(content)))
    .digest('hex');
}

/** The entry that follows `head` (undefined: the first of the chain). */
export function nextEntry(
  head: Pick<AuditHead, 'seq' | 'hash'> | undefined,
  subject: Pick<Subject, 'type' | 'id'>,
  change: { at: string; actor: string; action: string; reason?: string },
  streamSequence: string,
): AuditEntry {
  const previousHash = head?.hash ?? GENESIS_HASH;
  const content: AuditContent = {
    subjectType: subject.type,
    subjectId: subject.id,
    seq: (head?.seq ?? 0) + 1,
    at: change.at,
    actor: change.actor,
    action: change.action,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  };
  return { ...content, hash: hashEntry(previousHash, content), previousHash, streamSequence };
}

export type ChainProblemKind = 'hash-mismatch' | 'broken-link' | 'gap' | 'anchor-mismatch';

export interface ChainProblem {
  seq: number;
  kind: ChainProblemKind;
  detail: string;
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  problems: ChainProblem[];
}

/**
 * Recomputes every entry's hash from its content and checks that each entry names the stored
 * hash of the one before it (the first names GENESIS_HASH), that seq runs 1, 2, 3… and, given
 * the head, that the chain ends where the head says. An edited entry shows up as a
 * hash-mismatch of that entry alone (its successor still links to its stored hash); an edit
 * that also rewrote the stored hash shows up as a broken link at the successor (or the head);
 * removed entries show up as a gap. `entries` must be in stored order (by sort key).
 */
export function verifyChain(entries: readonly AuditEntry[], head?: AuditHead): ChainVerification {
  const problems: ChainProblem[] = [];
  let previous: AuditEntry | undefined;
  for (const stored of entries) {
    const expectedSeq = (previous?.seq ?? 0) + 1;
    // A stored item may lack fields or hold the wrong types: report it, never fail on it.
    const entry = { ...stored, seq: Number.isSafeInteger(stored.seq) ? stored.seq : expectedSeq };
    const recomputed = hashEntry(String(stored.previousHash ?? ''), stored);
    if (recomputed !== entry.hash) {
      problems.push({
        seq: entry.seq,
        kind: 'hash-mismatch',
        detail: `stored hash ${entry.hash} but the content hashes to ${recomputed}`,
      });
    }
    if (entry.seq > expectedSeq) {
      problems.push({
        seq: expectedSeq,
        kind: 'gap',
        detail:
          entry.seq - 1 === expectedSeq
            ? `entry ${expectedSeq} is missing`
            : `entries ${expectedSeq}–${entry.seq - 1} are missing`,
      });
    } else {
      const expectedLink = previous?.hash ?? GENESIS_HASH;
      if (entry.previousHash !== expectedLink || entry.seq < expectedSeq) {
        problems.push({
          seq: entry.seq,
          kind: 'broken-link',
          detail:
            entry.seq < expectedSeq
              ? `seq ${entry.seq} follows seq ${previous?.seq}`
              : `previousHash ${entry.previousHash} is not the stored hash ${expectedLink} of entry ${expectedSeq - 1}`,
        });
      }
    }
    previous = entry;
  }
  if (head) {
    const lastSeq = previous?.seq ?? 0;
    if (lastSeq < head.seq) {
      problems.push({
        seq: lastSeq + 1,
        kind: 'gap',
        detail: `the chain ends at entry ${lastSeq} but its head is at entry ${head.seq}`,
      });
    } else if (lastSeq > head.seq) {
      problems.push({
        seq: lastSeq,
        kind: 'broken-link',
        detail: `entries after the head (entry ${head.seq}) were not appended through it`,
      });
    } else if (previous && previous.hash !== head.hash) {
      problems.push({
        seq: previous.seq,
        kind: 'broken-link',
        detail: `the head names hash ${head.hash}, not this entry's stored hash`,
      });
    }
  }
  return { ok: problems.length === 0, entries: entries.length, problems };
}

/**
 * Compares a chain as stored with its latest anchor (written outside the table, see
 * #adapters/audit-anchors). A chain only grows, so the entry the anchor names must still be
 * there with the anchored hash; every entry before it is covered by the chain's links. A chain
 * rewritten as a whole (every hash recomputed, the head moved along) passes verifyChain but
 * not this: its entry at the anchor's seq hashes differently, or is gone. No anchor (a chain
 * not anchored yet) is no problem; an anchor behind the head is the usual case (the recorder
 * anchors after it appends).
 */
export function checkAnchor(entries: readonly AuditEntry[], anchor: AuditAnchor | undefined): ChainProblem[] {
  if (!anchor) return [];
  const anchored = entries.find((entry) => entry.seq === anchor.seq);
  if (!anchored) {
    const last = entries.at(-1)?.seq ?? 0;
    return [
      {
        seq: anchor.seq,
        kind: 'anchor-mismatch',
        detail: `the anchor of ${anchor.anchoredAt} names entry ${anchor.seq}, but the chain ends at entry ${last}: entries were removed or the chain was rewritten`,
      },
    ];
  }
  if (anchored.hash === anchor.hash) return [];
  return [
    {
      seq: anchor.seq,
      kind: 'anchor-mismatch',
      detail: `entry ${anchor.seq} has hash ${anchored.hash}, but the anchor of ${anchor.anchoredAt} holds ${anchor.hash}: the chain was rewritten`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// From a change of a stored item to an entry

type Image = Record<string, unknown>;

export interface ItemChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Image;
  newImage?: Image;
  /** When the stream saw the change (the last resort for `at`). */
  streamAt: Date;
}

export interface DescribedChange {
  at: string;
  actor: string;
  action: string;
  reason?: string;
}

/** Application states before it is accepted: not yet something the customer has (nor audits). */
const UNACCEPTED_STATUSES = new Set(['reserving', 'abandoned']);

/** Changes of these (and of status) are audited even when the writer did not stamp the item. */
const MEANINGFUL_FIELDS: Record<SubjectType, readonly string[]> = {
  application: [
    'mode',
    'total',
    'invoices',
    'title',
    'delivery',
    'cancellableUntil',
    'expectedBy',
    'emailedAt',
    'failureReason',
    'timeline',
    'shipment',
  ],
  invoice: [
    'invoiceNumber',
    'amount',
    'taxAmount',
    'lines',
    'title',
    'delivery',
    'pdfKey',
    'shipment',
    'receivedAt',
    'emailedAt',
  ],
  title: [
    'type',
    'name',
    'taxId',
    'registeredAddress',
    'registeredPhone',
    'bankName',
    'bankAccount',
    'remark',
    'notifyEmail',
    'rejectionReason',
    'resultMailedAt',
  ],
  return: [
    'reason',
    'medium',
    'mailedBack',
    'redLetterFormNumber',
    'redInvoiceNumber',
    'reissueTitleId',
    'reissueApplicationId',
    'arrivedAt',
    'creditedAt',
    'failureReason',
  ],
  'copy-request': ['requestId', 'invoiceNumber', 'requestedAt', 'sentAt', 'email'],
};

/**
 * Never a change worth an entry on their own: the stamp, bookkeeping times. (Images come
 * without the keys that say where an item is stored: the adapter reading changes drops them.)
 */
const NEVER_AUDITED = new Set(['changedBy', 'changedAt', 'changeId', 'changeReason', 'updatedAt']);

/** Named actions for fields whose setting is an event of its own. */
const FIELD_ACTIONS: Record<string, string> = {
  emailedAt: 'e-mailed',
  pdfKey: 'PDF stored',
  resultMailedAt: 'review result e-mailed',
  shipment: 'shipped',
  receivedAt: 'receipt confirmed',
};

/** The customer fields of a title: an edit of these is the customer's. */
const TITLE_CUSTOMER_FIELDS = MEANINGFUL_FIELDS.title.filter(
  (f) => f !== 'rejectionReason' && f !== 'resultMailedAt',
);

/**
 * The entry a change of an application, invoice or title item makes, or undefined when it is
 * not audited (internal bookkeeping only, or an application not yet accepted).
 */
export function describeChange(subject: Subject, change: ItemChange): DescribedChange | undefined {
  const before = change.oldImage;
  const after = change.newImage;
  const stamp = freshStamp(before, after);
  const accountId = str(after?.accountId) ?? str(before?.accountId) ?? subject.accountId;
  const oldStatus = str(before?.status);
  const newStatus = str(after?.status);

  let action: string;
  let actor = 'system';
  let reason: string | undefined;
  let at: string | undefined;
  if (subject.type === 'application' && unaccepted(change)) return undefined;
  const created =
    change.eventName === 'INSERT' ||
    (subject.type === 'application' && oldStatus !== undefined && UNACCEPTED_STATUSES.has(oldStatus)) ||
    // A copy request after the last copy was sent replaces the item: a new request.
    (subject.type === 'copy-request' && str(after?.requestId) !== str(before?.requestId));
  if (change.eventName === 'REMOVE') {
    action = 'deleted';
    if (subject.type === 'title' && accountId) actor = `account:${accountId}`;
  } else if (created) {
    action = 'created';
    if (subject.type !== 'invoice' && accountId) actor = `account:${accountId}`;
    at =
      instant(after?.submittedAt) ??
      instant(after?.issuedAt) ??
      instant(after?.requestedAt) ??
      instant(after?.createdAt);
  } else if (newStatus !== oldStatus) {
    action = `status: ${oldStatus ?? 'none'} → ${newStatus ?? 'none'}`;
    ({ actor, reason } = statusChangeBy(subject.type, oldStatus, newStatus, after, accountId));
  } else {
    const changed = changedFields(before, after);
    const meaningful = changed.filter((f) => MEANINGFUL_FIELDS[subject.type].includes(f));
    if (meaningful.length === 0 && !stamp) return undefined;
    const grewTimeline = timelineGrowth(before, after);
    const named = meaningful.find((f) => FIELD_ACTIONS[f] !== undefined && after?.[f] !== undefined);
    if (named) {
      action = FIELD_ACTIONS[named]!;
      at = instant(after?.[named]); // e.g. emailedAt: when it happened
    } else if (meaningful.length === 1 && meaningful[0] === 'timeline' && grewTimeline) {
      action = 'noted';
      reason = str(grewTimeline.note);
    } else {
      // Unstamped writes name only what the customer would recognise; stamped ones all they changed.
      const listed = stamp ? changed : meaningful;
      action = listed.length > 0 ? `updated: ${listed.join(', ')}` : 'updated';
    }
    if (subject.type === 'title' && accountId && meaningful.some((f) => TITLE_CUSTOMER_FIELDS.includes(f))) {
      actor = `account:${accountId}`;
    }
  }
  if (at === undefined && subject.type === 'application') at = instant(timelineGrowth(before, after)?.at);
  if (at === undefined && subject.type === 'title') at = changedValue(before, after, 'decidedAt');
  at ??= changedValue(before, after, 'updatedAt');

  if (stamp) {
    actor = stamp.changedBy;
    reason = stamp.changeReason;
    at = instant(stamp.changedAt) ?? at;
  }
  return {
    at: at ?? change.streamAt.toISOString(),
    actor,
    action,
    ...(reason?.trim() ? { reason: reason.trim().slice(0, MAX_REASON_LENGTH) } : {}),
  };
}

function statusChangeBy(
  type: SubjectType,
  from: string | undefined,
  to: string | undefined,
  after: Image | undefined,
  accountId: string | undefined,
): { actor: string; reason?: string } {
  const latest = timelineLast(after);
  const note = latest && str(latest.status) === to ? str(latest.note) : undefined;
  if (type === 'application') {
    if (to === 'cancelled' && accountId) return { actor: `account:${accountId}`, reason: note };
    if (from === 'in-review' && (to === 'issuing' || to === 'rejected'))
      return { actor: 'staff', reason: note };
    return { actor: 'system', reason: note ?? (to === 'failed' ? str(after?.failureReason) : undefined) };
  }
  if (type === 'copy-request' && from === 'open' && to === 'sent') return { actor: 'staff' };
  if (type === 'title') {
    if (from === 'pending-review' && (to === 'approved' || to === 'rejected')) {
      return { actor: 'staff', reason: to === 'rejected' ? str(after?.rejectionReason) : undefined };
    }
    // Back to review after an edit: the customer changed a special title.
    if (to === 'pending-review' && accountId) return { actor: `account:${accountId}` };
  }
  return { actor: 'system' };
}

function unaccepted(change: ItemChange): boolean {
  const oldStatus = str(change.oldImage?.status);
  const newStatus = str(change.newImage?.status);
  if (change.eventName === 'INSERT') return newStatus !== undefined && UNACCEPTED_STATUSES.has(newStatus);
  if (change.eventName === 'REMOVE') return oldStatus !== undefined && UNACCEPTED_STATUSES.has(oldStatus);
  return newStatus !== undefined && UNACCEPTED_STATUSES.has(newStatus);
}

function freshStamp(before: Image | undefined, after: Image | undefined) {
  const changeId = str(after?.changeId);
  const changedBy = str(after?.changedBy);
  if (!changeId || !changedBy || changeId === str(before?.changeId)) return undefined;
  return { changedBy, changedAt: str(after?.changedAt), changeReason: str(after?.changeReason) };
}

/** Top-level attributes that differ (sorted), ignoring the stamp. */
function changedFields(before: Image | undefined, after: Image | undefined): string[] {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...names]
    .filter((name) => !NEVER_AUDITED.has(name))
    .filter((name) => canonicalJson(before?.[name] ?? null) !== canonicalJson(after?.[name] ?? null))
    .sort();
}

function timelineLast(image: Image | undefined): Record<string, unknown> | undefined {
  const timeline = image?.timeline;
  return Array.isArray(timeline) ? (timeline.at(-1) as Record<string, unknown> | undefined) : undefined;
}

function timelineGrowth(before: Image | undefined, after: Image | undefined) {
  const was = Array.isArray(before?.timeline) ? before.timeline.length : 0;
  const is = Array.isArray(after?.timeline) ? after.timeline.length : 0;
  return is > was ? timelineLast(after) : undefined;
}

function changedValue(
  before: Image | undefined,
  after: Image | undefined,
  field: string,
): string | undefined {
  const value = instant(after?.[field]);
  return value !== undefined && value !== instant(before?.[field]) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A timestamp as UTC ISO (so the hashed text is one spelling per instant), or undefined. */
function instant(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
