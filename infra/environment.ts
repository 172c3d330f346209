/** The variables the stack sets for its functions (values in invoice-service-stack.ts and monthly.ts). */
export const SETTINGS = [
  'TABLE_NAME',
  'DOCUMENTS_BUCKET',
  'AUDIT_ANCHORS_BUCKET',
  'STATE_MACHINE_ARN',
  'RETURNS_STATE_MACHINE_ARN',
  'MAIL_FROM',
  'MAIL_CONFIGURATION_SET',
  'INVOICING_ENTITIES',
  'CANCEL_WINDOW',
  'ARREARS_POLICY',
  'PAPER_INVOICES',
  'REVIEW_THRESHOLD_FEN',
  'EXPECTED_WORKING_DAYS',
  'PAYMENT_SYNC_DAYS',
  'FINANCE_EMAIL',
  'DOWNLOAD_LINK_SECONDS',
  'CONSOLE_URL',
  'MAIL_ATTACHMENT_LIMIT_BYTES',
  'MONTHLY_SHARD_SECONDS',
  'MONTHLY_PAGE_SIZE',
  'MONTHLY_ACCOUNT_CONCURRENCY',
  'EVENT_BUS_NAME',
  'WEBHOOKS_ALLOW_LOOPBACK',
  'WEBHOOK_RETRY_BASE_SECONDS',
  'WEBHOOK_DISABLE_AFTER_FAILURES',
  'TAX_PLATFORM',
] as const;
export type Setting = (typeof SETTINGS)[number];

/**
 * What each function reads from its environment, by entry: it gets these and no other, so a
 * changed setting redeploys only the functions that read it. test/infra/functions.test.ts
 * bundles every entry and checks that the bundle names exactly these variables.
 */
export const ENVIRONMENT_OF: Readonly<Record<string, readonly Setting[]>> = {
  'functions/api/ledger.ts': ['TABLE_NAME', 'INVOICING_ENTITIES', 'ARREARS_POLICY', 'PAYMENT_SYNC_DAYS'],
  'functions/api/titles-read.ts': ['TABLE_NAME'],
  'functions/api/titles-write.ts': ['TABLE_NAME'],
  'functions/api/applications-read.ts': ['TABLE_NAME', 'ARREARS_POLICY', 'PAPER_INVOICES'],
  'functions/api/applications-write.ts': [
    'TABLE_NAME',
    'STATE_MACHINE_ARN',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
    'CANCEL_WINDOW',
    'ARREARS_POLICY',
    'PAPER_INVOICES',
    'EXPECTED_WORKING_DAYS',
  ],
  'functions/api/invoices-read.ts': ['TABLE_NAME', 'DOCUMENTS_BUCKET'],
  'functions/api/invoices-write.ts': ['TABLE_NAME'],
  'functions/api/returns.ts': [
    'TABLE_NAME',
    'RETURNS_STATE_MACHINE_ARN',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
  ],
  'functions/api/admin.ts': ['TABLE_NAME', 'MAIL_FROM', 'MAIL_CONFIGURATION_SET', 'CONSOLE_URL'],
  'functions/api/audit.ts': ['TABLE_NAME', 'AUDIT_ANCHORS_BUCKET'],
  'functions/api/monthly.ts': ['TABLE_NAME', 'PAPER_INVOICES'],
  'functions/api/organizations.ts': [
    'TABLE_NAME',
    'STATE_MACHINE_ARN',
    'CANCEL_WINDOW',
    'ARREARS_POLICY',
    'PAPER_INVOICES',
    'EXPECTED_WORKING_DAYS',
  ],
  'functions/api/webhooks.ts': [
    'TABLE_NAME',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'WEBHOOKS_ALLOW_LOOPBACK',
    'WEBHOOK_RETRY_BASE_SECONDS',
    'WEBHOOK_DISABLE_AFTER_FAILURES',
  ],
  'functions/workflow/review-application.ts': ['TABLE_NAME', 'REVIEW_THRESHOLD_FEN'],
  'functions/workflow/request-review.ts': ['TABLE_NAME'],
  'functions/workflow/issue-invoices.ts': [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'INVOICING_ENTITIES',
    'TAX_PLATFORM',
  ],
  'functions/workflow/deliver-invoices.ts': [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
    'DOWNLOAD_LINK_SECONDS',
    'MAIL_ATTACHMENT_LIMIT_BYTES',
  ],
  'functions/workflow/fail-application.ts': [
    'TABLE_NAME',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
    'FINANCE_EMAIL',
  ],
  'functions/workflow/returns-step.ts': [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'STATE_MACHINE_ARN',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
    'CANCEL_WINDOW',
    'ARREARS_POLICY',
    'PAPER_INVOICES',
    'EXPECTED_WORKING_DAYS',
    'FINANCE_EMAIL',
  ],
  'functions/workflow/start-pending.ts': ['TABLE_NAME', 'STATE_MACHINE_ARN', 'RETURNS_STATE_MACHINE_ARN'],
  'functions/workflow/watch-applications.ts': [
    'TABLE_NAME',
    'MAIL_FROM',
    'MAIL_CONFIGURATION_SET',
    'CONSOLE_URL',
    'FINANCE_EMAIL',
  ],
  'functions/audit/record-changes.ts': ['TABLE_NAME', 'AUDIT_ANCHORS_BUCKET'],
  'functions/operations/table-facts.ts': ['TABLE_NAME', 'EVENT_BUS_NAME'],
  'functions/operations/mail-feedback.ts': ['TABLE_NAME'],
  'functions/monthly/start-run.ts': ['TABLE_NAME', 'STATE_MACHINE_ARN'],
  'functions/monthly/process-shard.ts': [
    'TABLE_NAME',
    'STATE_MACHINE_ARN',
    'CANCEL_WINDOW',
    'ARREARS_POLICY',
    'PAPER_INVOICES',
    'EXPECTED_WORKING_DAYS',
    'MONTHLY_SHARD_SECONDS',
    'MONTHLY_PAGE_SIZE',
    'MONTHLY_ACCOUNT_CONCURRENCY',
  ],
  'functions/monthly/summarize-run.ts': ['TABLE_NAME', 'STATE_MACHINE_ARN'],
};

/** The entry's variables from `values`; a variable the entry reads but `values` lacks fails synth. */
export function environmentFor(entry: string, values: Record<string, string>): Record<string, string> {
  const names = ENVIRONMENT_OF[entry];
  if (!names) throw new Error(`infra/environment.ts: no environment listed for ${entry}`);
  return Object.fromEntries(
    names.map((name) => {
      const value = values[name];
      if (value === undefined)
        throw new Error(`${entry} reads ${name}, which its construct does not provide`);
      return [name, value];
    }),
  );
}
