import { describe, expect, it, vi } from 'vitest';
import { factsOf, type ItemChange, METRICS } from '#domain/table-facts';

const app = (fields: Record<string, unknown>) => ({
  applicationId: 'app_1',
  correlationId: 'ticket-1',
  submittedAt: '2026-12-01T02:00:00.000Z',
  ...fields,
});
const change = (
  pk: string,
  sk: string,
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): ItemChange => ({
  eventName: oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY',
  pk,
  sk,
  oldImage,
  newImage,
});
const metricsOf = (c: ItemChange) => factsOf(c).map((f) => [f.metric, f.unit, f.value]);

describe('table facts (issue 16): business metrics read off item changes', () => {
  it('an application accepted when stored as submitted, or when its chunked reservation finishes', () => {
    expect(
      metricsOf(change('APPLICATION#app_1', 'APPLICATION', undefined, app({ status: 'submitted' }))),
    ).toEqual([['ApplicationsAccepted', 'Count', 1]]);
    expect(
      metricsOf(
        change(
          'APPLICATION#app_1',
          'APPLICATION',
          app({ status: 'reserving' }),
          app({ status: 'submitted' }),
        ),
      ),
    ).toEqual([['ApplicationsAccepted', 'Count', 1]]);
    // Still reserving: not accepted yet; a later write while submitted counts nothing again.
    expect(
      metricsOf(change('APPLICATION#app_1', 'APPLICATION', undefined, app({ status: 'reserving' }))),
    ).toEqual([]);
    expect(
      metricsOf(
        change(
          'APPLICATION#app_1',
          'APPLICATION',
          app({ status: 'submitted' }),
          app({ status: 'submitted', x: 1 }),
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['rejected', 'ApplicationsRejected'],
    ['cancelled', 'ApplicationsCancelled'],
    ['failed', 'ApplicationsFailed'],
  ])('an application becoming %s counts %s once', (status, metric) => {
    const moved = change('APPLICATION#app_1', 'APPLICATION', app({ status: 'in-review' }), app({ status }));
    expect(factsOf(moved)).toEqual([
      { metric, unit: 'Count', value: 1, subject: { applicationId: 'app_1' }, correlationId: 'ticket-1' },
    ]);
    expect(factsOf(change('APPLICATION#app_1', 'APPLICATION', app({ status }), app({ status })))).toEqual([]);
  });

  it('issued: counted, with the seconds from submission to the issued timeline entry', () => {
    const issued = change(
      'APPLICATION#app_1',
      'APPLICATION',
      app({ status: 'issuing' }),
      app({
        status: 'issued',
        timeline: [
          { at: '2026-12-01T02:00:00.000Z', status: 'submitted' },
          { at: '2026-12-01T02:00:42.500Z', status: 'issued' },
        ],
      }),
    );
    expect(metricsOf(issued)).toEqual([
      ['ApplicationsIssued', 'Count', 1],
      ['SubmitToIssuedSeconds', 'Seconds', 42.5],
    ]);
  });

  it('a blue invoice stored: one invoice and its amount in fen; a red-letter one apart; later writes nothing', () => {
    const blue = {
      invoiceId: 'inv_1',
      applicationId: 'app_1',
      kind: 'blue',
      amount: 10_600,
      status: 'issued',
    };
    expect(metricsOf(change('INVOICE#inv_1', 'INVOICE', undefined, blue))).toEqual([
      ['InvoicesIssued', 'Count', 1],
      ['IssuedAmountFen', 'None', 10_600],
    ]);
    expect(
      metricsOf(change('INVOICE#inv_2', 'INVOICE', undefined, { ...blue, kind: 'red', amount: -10_600 })),
    ).toEqual([['RedLetterInvoicesIssued', 'Count', 1]]);
    expect(metricsOf(change('INVOICE#inv_1', 'INVOICE', blue, { ...blue, status: 'delivered' }))).toEqual([]);
  });

  it('e-mails from the notice marks: sent once it is marked sent, failed when a claim is released', () => {
    const sending = app({ status: 'issued', 'notice#issued': { state: 'sending', until: 1 } });
    const sent = app({ status: 'issued', 'notice#issued': { state: 'sent', at: 'x', messageId: 'm' } });
    const released = app({ status: 'issued' });
    expect(metricsOf(change('APPLICATION#app_1', 'APPLICATION', sending, sent))).toEqual([
      ['EmailsSent', 'Count', 1],
    ]);
    expect(metricsOf(change('APPLICATION#app_1', 'APPLICATION', sending, released))).toEqual([
      ['EmailsFailed', 'Count', 1],
    ]);
    expect(metricsOf(change('APPLICATION#app_1', 'APPLICATION', sent, { ...sent, x: 1 }))).toEqual([]);
  });

  it('a deadline notice sent to finance is a breached deadline (R28)', () => {
    const before = app({ status: 'issuing', 'notice#deadline-breached': { state: 'sending' } });
    const after = app({ status: 'issuing', 'notice#deadline-breached': { state: 'sent' } });
    expect(metricsOf(change('APPLICATION#app_1', 'APPLICATION', before, after))).toEqual([
      ['EmailsSent', 'Count', 1],
      ['DeadlinesBreached', 'Count', 1],
    ]);
  });

  it('the monthly run: each marker ended once as created or skipped, the run completed once', () => {
    const claimed = { month: '2026-12', status: 'claimed' };
    expect(
      metricsOf(
        change('MONTHLY#acct-1#2026-12', 'MARKER', claimed, {
          ...claimed,
          status: 'created',
          applicationId: 'a',
        }),
      ),
    ).toEqual([
      ['MonthlyAccountsProcessed', 'Count', 1],
      ['MonthlyAccountsCreated', 'Count', 1],
    ]);
    expect(
      metricsOf(change('MONTHLY#acct-2#2026-12', 'MARKER', claimed, { ...claimed, status: 'skipped' })),
    ).toEqual([
      ['MonthlyAccountsProcessed', 'Count', 1],
      ['MonthlyAccountsSkipped', 'Count', 1],
    ]);
    expect(metricsOf(change('MONTHLY#acct-3#2026-12', 'MARKER', undefined, claimed))).toEqual([]);
    const running = { month: '2026-12', status: 'running' };
    expect(
      metricsOf(change('MONTHLY_RUN#2026-12', 'RUN', running, { ...running, status: 'completed' })),
    ).toEqual([['MonthlyRunsCompleted', 'Count', 1]]);
    expect(
      metricsOf(change('MONTHLY_RUN#2026-12', 'SHARD#01', running, { ...running, status: 'completed' })),
    ).toEqual([]);
  });

  it('returns: completed when credited, or failed', () => {
    const crediting = { returnId: 'ret_1', invoiceId: 'inv_1', status: 'crediting' };
    expect(
      metricsOf(change('RETURN#ret_1', 'RETURN', crediting, { ...crediting, status: 'credited' })),
    ).toEqual([['ReturnsCompleted', 'Count', 1]]);
    expect(
      metricsOf(change('RETURN#ret_1', 'RETURN', crediting, { ...crediting, status: 'failed' })),
    ).toEqual([['ReturnsFailed', 'Count', 1]]);
    // Reissued after credited: the return was already counted.
    expect(
      metricsOf(
        change(
          'RETURN#ret_1',
          'RETURN',
          { ...crediting, status: 'credited' },
          { ...crediting, status: 'reissued' },
        ),
      ),
    ).toEqual([]);
  });

  it('removals and other items are not facts', () => {
    expect(factsOf(change('APPLICATION#app_1', 'APPLICATION', app({ status: 'failed' }), undefined))).toEqual(
      [],
    );
    expect(factsOf(change('ACCOUNT#a', 'RECORD#r', undefined, { status: 'failed' }))).toEqual([]);
    expect(
      factsOf(change('APPLICATION#app_1', 'ALLOCATIONS#0001', undefined, { status: 'submitted' })),
    ).toEqual([]);
  });

  it('every metric has a CloudWatch unit', () => {
    expect(new Set(Object.values(METRICS))).toEqual(new Set(['Count', 'Seconds', 'None']));
  });
});

describe('emitMetric: one embedded-metric-format line, as Powertools writes them', () => {
  it('names the namespace, the service dimension, the metric with its unit, and the value', async () => {
    const { emitMetric } = await import('#adapters/metric-line');
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      emitMetric('MonthlyRunOverdue', 1, new Date('2026-12-10T10:00:00Z'));
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: Date.parse('2026-12-10T10:00:00Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'InvoiceService',
            Dimensions: [['service']],
            Metrics: [{ Name: 'MonthlyRunOverdue', Unit: 'Count' }],
          },
        ],
      },
      service: 'invoice-service',
      MonthlyRunOverdue: 1,
    });
  });
});
