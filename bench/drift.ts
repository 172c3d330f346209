/**
 * The ledger aggregates' drift check (npm run ledger:repair) from a bench, against the bench's
 * own stack: every account given, or every account with a profile or aggregates.
 */
export async function checkDrift(
  endpoint: string,
  tableName: string,
  accountIds?: string[],
): Promise<string[]> {
  // The adapters read their configuration when first imported, as in a Lambda.
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
  });
  const { checkLedger, listLedgerAccounts } = await import('#use-cases/ledger-repair');
  const problems: string[] = [];
  for (const accountId of accountIds ?? (await listLedgerAccounts())) {
    const check = await checkLedger(accountId, new Date(), false);
    for (const d of check.drift) {
      problems.push(`${accountId} ${d.location} ${d.part}: stored ${d.stored}, records give ${d.expected}`);
    }
    for (const id of check.unlistedExceptions) problems.push(`${accountId}: exception ${id} not listed`);
  }
  return problems;
}
