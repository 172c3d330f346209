/**
 * Business facts read off the table's change stream (issue 16): what happened to applications,
 * invoices, e-mails, returns and the monthly run, derived from an item's old and new image
 * alone. The table-facts consumer (functions/operations/table-facts.ts) publishes them as
 * CloudWatch metrics; no code path that changes data has to remember to count it, as with the
 * audit trail. Pure: no I/O, no clock.
 */

/** One metric: CloudWatch unit names as Powertools Metrics takes them. */
export type FactUnit = 'Count' | 'Seconds' | 'None';

export interface Fact {
  metric: MetricName;
  unit: FactUnit;
  value: number;
  /** What the fact is about, for the log line that goes with it (ids only). */
  subject: { applicationId?: string; invoiceId?: string; returnId?: string; month?: string };
  /** The correlation id stamped on the item, when it has one. */
  correlationId?: string;
}

/** Every metric the service publishes, with its unit (docs/runbooks.md lists them). */
export const METRICS = {
  ApplicationsAccepted: 'Count',
  ApplicationsRejected: 'Count',
  ApplicationsCancelled: 'Count',
  ApplicationsFailed: 'Count',
  ApplicationsIssued: 'Count',
  /** From submission to the invoices being issued (the `issued` timeline entry). */
  SubmitToIssuedSeconds: 'Seconds',
  InvoicesIssued: 'Count',
  /** Tax-inclusive amount of the (blue) invoices issued, in fen; CloudWatch has no currency unit. */
  IssuedAmountFen: 'None',
  RedLetterInvoicesIssued: 'Count',
  EmailsSent: 'Count',
  /** A send that SES refused or that failed in flight (the claim was released for a retry). */
  EmailsFailed: 'Count',
  /** R28: finance was told about an application past its expected date. */
  DeadlinesBreached: 'Count',
  MonthlyAccountsProcessed: 'Count',
  MonthlyAccountsCreated: 'Count',
  MonthlyAccountsSkipped: 'Count',
  MonthlyRunsCompleted: 'Count',
  /** R31: the hourly watch found the month's run not completed by 18:00 China time on the 10th. */
  MonthlyRunOverdue: 'Count',
  ReturnsCompleted: 'Count',
  ReturnsFailed: 'Count',
} as const satisfies Record<string, FactUnit>;
export type MetricName = keyof typeof METRICS;

/** The one namespace of every metric; the only dimension is `service` (POWERTOOLS_SERVICE_NAME). */
export const METRICS_NAMESPACE = 'InvoiceService';
export const METRICS_SERVICE = 'invoice-service';

/** Which items the consumer is fed (its event filters, infra/constructs/operations.ts). */
export const FACT_ITEMS = {
  application: { pkPrefix: 'APPLICATION#', sk: 'APPLICATION' },
  invoice: { pkPrefix: 'INVOICE#', sk: 'INVOICE' },
  invoiceReturn: { pkPrefix: 'RETURN#', sk: 'RETURN' },
  monthlyMarker: { pkPrefix: 'MONTHLY#', sk: 'MARKER' },
  monthlyRun: { pkPrefix: 'MONTHLY_RUN#', sk: 'RUN' },
} as const;

export interface ItemChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

type Image = Record<string, unknown>;

const text = (image: Image | undefined, field: string): string | undefined => {
  const value = image?.[field];
  return typeof value === 'string' ? value : undefined;
};

/** Status moved to `to` in this change (and was something else before). */
const becomes = (change: ItemChange, to: string) =>
  text(change.newImage, 'status') === to && text(change.oldImage, 'status') !== to;

const fact = (metric: MetricName, value: number, subject: Fact['subject'], image?: Image): Fact => {
  const correlationId = text(image, 'correlationId');
  return { metric, unit: METRICS[metric], value, subject, ...(correlationId ? { correlationId } : {}) };
};

export function factsOf(change: ItemChange): Fact[] {
  if (change.eventName === 'REMOVE' || !change.newImage) return [];
  const { pk, sk } = change;
  const has = (item: { pkPrefix: string; sk: string }) => pk.startsWith(item.pkPrefix) && sk === item.sk;
  if (has(FACT_ITEMS.application)) return applicationFacts(change);
  if (has(FACT_ITEMS.invoice)) return invoiceFacts(change);
  if (has(FACT_ITEMS.invoiceReturn)) return returnFacts(change);
  if (has(FACT_ITEMS.monthlyMarker)) return markerFacts(change);
  if (has(FACT_ITEMS.monthlyRun)) return runFacts(change);
  return [];
}

function applicationFacts(change: ItemChange): Fact[] {
  const image = change.newImage!;
  const subject = { applicationId: text(image, 'applicationId') };
  const facts: Fact[] = [];
  // Accepted: stored as submitted (or out of the internal reserving state of chunked reservations).
  const before = text(change.oldImage, 'status');
  if (text(image, 'status') === 'submitted' && (before === undefined || before === 'reserving')) {
    facts.push(fact('ApplicationsAccepted', 1, subject, image));
  }
  if (becomes(change, 'rejected')) facts.push(fact('ApplicationsRejected', 1, subject, image));
  if (becomes(change, 'cancelled')) facts.push(fact('ApplicationsCancelled', 1, subject, image));
  if (becomes(change, 'failed')) facts.push(fact('ApplicationsFailed', 1, subject, image));
  if (becomes(change, 'issued')) {
    facts.push(fact('ApplicationsIssued', 1, subject, image));
    const issuedAt = timelineAt(image, 'issued');
    const submittedAt = Date.parse(text(image, 'submittedAt') ?? '');
    if (issuedAt !== undefined && Number.isFinite(submittedAt) && issuedAt >= submittedAt) {
      facts.push(fact('SubmitToIssuedSeconds', (issuedAt - submittedAt) / 1000, subject, image));
    }
  }
  facts.push(...noticeFacts(change, subject));
  return facts;
}

function invoiceFacts(change: ItemChange): Fact[] {
  const image = change.newImage!;
  const subject = { invoiceId: text(image, 'invoiceId'), applicationId: text(image, 'applicationId') };
  const facts: Fact[] = [];
  if (change.eventName === 'INSERT') {
    if (image.kind === 'red') facts.push(fact('RedLetterInvoicesIssued', 1, subject, image));
    else {
      facts.push(fact('InvoicesIssued', 1, subject, image));
      if (typeof image.amount === 'number') facts.push(fact('IssuedAmountFen', image.amount, subject, image));
    }
  }
  facts.push(...noticeFacts(change, subject));
  return facts;
}

function returnFacts(change: ItemChange): Fact[] {
  const image = change.newImage!;
  const subject = { returnId: text(image, 'returnId'), invoiceId: text(image, 'invoiceId') };
  const facts: Fact[] = [];
  if (becomes(change, 'credited')) facts.push(fact('ReturnsCompleted', 1, subject, image));
  if (becomes(change, 'failed')) facts.push(fact('ReturnsFailed', 1, subject, image));
  facts.push(...noticeFacts(change, subject));
  return facts;
}

function markerFacts(change: ItemChange): Fact[] {
  const image = change.newImage!;
  const subject = { month: text(image, 'month'), applicationId: text(image, 'applicationId') };
  const ended = becomes(change, 'created') || becomes(change, 'skipped');
  if (!ended) return [];
  return [
    fact('MonthlyAccountsProcessed', 1, subject),
    fact(image.status === 'created' ? 'MonthlyAccountsCreated' : 'MonthlyAccountsSkipped', 1, subject),
  ];
}

function runFacts(change: ItemChange): Fact[] {
  const image = change.newImage!;
  return becomes(change, 'completed')
    ? [fact('MonthlyRunsCompleted', 1, { month: text(image, 'month') })]
    : [];
}

/**
 * E-mails, from the notice marks the senders keep on the item (#adapters/notice-marks):
 * `notice#<kind>` becomes `sent` once SES accepted the message; a claim that disappears
 * while `sending` was released because the send failed.
 */
function noticeFacts(change: ItemChange, subject: Fact['subject']): Fact[] {
  const facts: Fact[] = [];
  const names = new Set(
    [...Object.keys(change.oldImage ?? {}), ...Object.keys(change.newImage ?? {})].filter((name) =>
      name.startsWith('notice#'),
    ),
  );
  for (const name of names) {
    const before = (change.oldImage?.[name] as { state?: string } | undefined)?.state;
    const after = (change.newImage?.[name] as { state?: string } | undefined)?.state;
    if (after === 'sent' && before !== 'sent') {
      facts.push(fact('EmailsSent', 1, subject, change.newImage));
      if (name === 'notice#deadline-breached')
        facts.push(fact('DeadlinesBreached', 1, subject, change.newImage));
    } else if (before === 'sending' && after === undefined) {
      facts.push(fact('EmailsFailed', 1, subject, change.newImage));
    }
  }
  return facts;
}

/** When the timeline reached a status (the last entry with it), as epoch milliseconds. */
function timelineAt(image: Image, status: string): number | undefined {
  const timeline = Array.isArray(image.timeline)
    ? (image.timeline as { at?: unknown; status?: unknown }[])
    : [];
  const entry = timeline.findLast((e) => e?.status === status && typeof e.at === 'string');
  const at = entry ? Date.parse(entry.at as string) : Number.NaN;
  return Number.isFinite(at) ? at : undefined;
}
