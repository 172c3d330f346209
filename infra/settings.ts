import type { Node } from 'constructs';

/** Deployment settings from cdk.json context (`-c invoice:x=y` overrides), validated at synth. */
export interface ServiceSettings {
  stage: string;
  mailFrom: string;
  cancelWindow: string;
  arrearsPolicy: 'offset' | 'block';
  paperInvoices: 'special-only' | 'none';
  reviewThresholdFen: number;
  expectedWorkingDays: number;
  paymentSyncDays: number;
  /** Write requests (POST/PUT/PATCH/DELETE) one caller token may send per window (AWS WAF: ≥ 10). */
  writeRateLimit: number;
  /** The window of writeRateLimit, in seconds: one of the windows AWS WAF offers. */
  writeRateWindowSeconds: 60 | 120 | 300 | 600;
  entities: unknown[];
  /** Object Lock (compliance) default retention of issued invoice PDFs, in years. */
  documentRetentionYears: number;
  /** Object Lock (compliance) default retention of the audit trail's anchored chain heads, in years. */
  auditAnchorRetentionYears: number;
  /** Who receives the alarms (e-mail subscriptions of the alarm topic): finance operations and engineers. */
  alarmEmails: { finance: string[]; engineers: string[] };
  /** Where docs/runbooks.md is published; alarm descriptions link to `<runbookUrl>#<alarm>`. */
  runbookUrl: string;
  /** Webhooks may reach http://127.0.0.1 (tests receive locally); only the `local` stage may. */
  webhooksAllowLoopback: boolean;
  /** The first retry of a failed webhook delivery after this many seconds, doubling to 1 h. */
  webhooksRetryBaseSeconds: number;
  /** A webhook endpoint is disabled after this many failed attempts in a row (or 24 h of failures). */
  webhooksDisableAfterFailures: number;
  /**
   * The tax platform adapter (docs/tax-platform.md): "simulator" (the default: numbers from the
   * entity's counter), or a provider's base URL (https; http only on the loopback, for local runs).
   */
  taxPlatform: string;
}

const RATE_WINDOWS = [60, 120, 300, 600] as const;

export function readSettings(node: Node): ServiceSettings {
  const get = (key: string): unknown => {
    const value = node.tryGetContext(`invoice:${key}`);
    if (value === undefined) throw new Error(`Missing context invoice:${key} (cdk.json)`);
    return value;
  };
  const int = (key: string): number => {
    const value = Number(get(key));
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`Context invoice:${key} must be a non-negative integer`);
    return value;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const value = String(get(key));
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`Context invoice:${key} must be one of ${allowed}`);
    return value as T;
  };
  // Compliance mode: nobody can shorten it or delete a locked version until it ends.
  const years = (key: string): number => {
    const value = int(key);
    if (value < 1 || value > 100) throw new Error(`Context invoice:${key} must be 1–100 (years)`);
    return value;
  };
  const entities = get('entities');
  if (!Array.isArray(entities) || entities.length === 0)
    throw new Error('Context invoice:entities must be a non-empty list');
  const cancelWindow = String(get('cancelWindow'));
  if (cancelWindow !== 'end-of-day' && !/^P(T(\d+H)?(\d+M)?(\d+S)?)$/.test(cancelWindow)) {
    throw new Error('Context invoice:cancelWindow must be "end-of-day" or an ISO duration like PT20S');
  }
  const writeRateLimit = int('writeRateLimit');
  if (writeRateLimit < 10 || writeRateLimit > 2_000_000_000)
    throw new Error('Context invoice:writeRateLimit must be between 10 and 2000000000 (AWS WAF)');
  const writeRateWindowSeconds = int('writeRateWindowSeconds');
  if (!(RATE_WINDOWS as readonly number[]).includes(writeRateWindowSeconds))
    throw new Error(`Context invoice:writeRateWindowSeconds must be one of ${RATE_WINDOWS}`);
  const alarmEmails = get('alarmEmails') as Record<string, unknown>;
  const emails = (who: 'finance' | 'engineers'): string[] => {
    const list = alarmEmails?.[who];
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string' && /^[^@\s]+@[^@\s]+$/.test(e)))
      throw new Error(`Context invoice:alarmEmails.${who} must be a list of e-mail addresses`);
    return list as string[];
  };
  const taxPlatform = String(node.tryGetContext('invoice:taxPlatform') ?? 'simulator');
  if (
    taxPlatform !== 'simulator' &&
    !/^https:\/\/[^\s/]+(\/\S*)?$/.test(taxPlatform) &&
    !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\S*)?$/.test(taxPlatform)
  )
    throw new Error('Context invoice:taxPlatform must be "simulator" or the https URL of a provider');
  return {
    stage: String(get('stage')),
    mailFrom: String(get('mailFrom')),
    cancelWindow,
    arrearsPolicy: oneOf('arrearsPolicy', ['offset', 'block'] as const),
    paperInvoices: oneOf('paperInvoices', ['special-only', 'none'] as const),
    reviewThresholdFen: int('reviewThresholdFen'),
    expectedWorkingDays: int('expectedWorkingDays'),
    paymentSyncDays: int('paymentSyncDays'),
    writeRateLimit,
    writeRateWindowSeconds: writeRateWindowSeconds as ServiceSettings['writeRateWindowSeconds'],
    entities,
    documentRetentionYears: years('documentRetentionYears'),
    auditAnchorRetentionYears: years('auditAnchorRetentionYears'),
    alarmEmails: { finance: emails('finance'), engineers: emails('engineers') },
    runbookUrl: String(get('runbookUrl')),
    ...webhookSettings(get, int),
    taxPlatform,
  };
}

function webhookSettings(get: (key: string) => unknown, int: (key: string) => number) {
  const allowLoopback = get('webhooksAllowLoopback');
  if (typeof allowLoopback !== 'boolean' && allowLoopback !== 'true' && allowLoopback !== 'false')
    throw new Error('Context invoice:webhooksAllowLoopback must be true or false');
  const webhooksAllowLoopback = allowLoopback === true || allowLoopback === 'true';
  if (webhooksAllowLoopback && String(get('stage')) !== 'local')
    throw new Error('Context invoice:webhooksAllowLoopback may be true only for the local stage');
  const webhooksRetryBaseSeconds = int('webhooksRetryBaseSeconds');
  if (webhooksRetryBaseSeconds < 1 || webhooksRetryBaseSeconds > 3600)
    throw new Error('Context invoice:webhooksRetryBaseSeconds must be 1–3600');
  const webhooksDisableAfterFailures = int('webhooksDisableAfterFailures');
  if (webhooksDisableAfterFailures < 1)
    throw new Error('Context invoice:webhooksDisableAfterFailures must be at least 1');
  return { webhooksAllowLoopback, webhooksRetryBaseSeconds, webhooksDisableAfterFailures };
}
