/**
 * `npm run ledger:repair -- [--account <id> ...] [--fix] [--endpoint http://127.0.0.1:8000] [--table <name>] [--json]`
 *
 * Recomputes every account's ledger aggregates (GET /v1/invoiceable reads them) from its billing
 * records and reports any drift: an aggregate number that is not what the records give, a
 * record that needs its exact share read but is not listed, or a listing no longer needed.
 * `--fix` adds the differences to the aggregate items (and first gives records written before
 * the aggregates existed their place), then checks again. Run it on quiet accounts: a write
 * during the check shows up as drift. By default it reads `npm start`'s DynamoDB Local and the
 * table of the synthesized template; --endpoint and --table (or AWS_ENDPOINT_URL_DYNAMODB,
 * TABLE_NAME) point it elsewhere, e.g. at a deployed stack with the caller's own credentials.
 * Exit code: 0 no drift (or all of it fixed), 1 drift found, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { cdkOutDir } from './local/synth.ts';
import { readTemplate } from './local/template.ts';

const USAGE =
  'usage: npm run ledger:repair -- [--account <id> ...] [--fix] [--endpoint <url>] [--table <name>] [--json]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      account: { type: 'string', multiple: true },
      fix: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      table: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The adapters read their configuration when first imported, as in a Lambda.
  process.env.TABLE_NAME = values.table ?? process.env.TABLE_NAME ?? templateTable();
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'http://127.0.0.1:8000';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  if (/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(endpoint)) {
    // DynamoDB Local checks no signatures; never send a developer's real credentials to it.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  }
  process.env.AWS_REGION ??= 'us-east-1';
  const { checkLedger, listLedgerAccounts } = await import('#use-cases/ledger-repair');

  const accounts = values.account ?? (await listLedgerAccounts());
  let drifting = 0;
  for (const accountId of accounts) {
    let check = await checkLedger(accountId, new Date(), values.fix);
    if (check.fixed)
      check = { ...(await checkLedger(accountId, new Date(), false)), fixed: true, placed: check.placed };
    const clean = check.drift.length === 0 && check.unlistedExceptions.length === 0;
    if (!clean) drifting++;
    if (values.json) console.log(JSON.stringify(check));
    else if (!clean || check.fixed || check.staleExceptions.length > 0) {
      console.log(
        `${accountId}: ${check.records} records, ${check.drift.length} drifting numbers, ` +
          `${check.unlistedExceptions.length} unlisted and ${check.staleExceptions.length} stale exceptions` +
          `${check.fixed ? ` (fixed; ${check.placed} records placed)` : ''}`,
      );
      for (const d of check.drift.slice(0, 20)) {
        console.log(`  ${d.location} ${d.part}: stored ${d.stored}, records give ${d.expected}`);
      }
    }
  }
  if (!values.json) console.log(`${accounts.length} accounts checked, ${drifting} with drift`);
  return drifting === 0 ? 0 : 1;
}

function templateTable(): string {
  const table = readTemplate(cdkOutDir).tables[0];
  if (!table) throw new Error(`No table in the template at ${cdkOutDir}; pass --table\n${USAGE}`);
  return table.tableName;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  },
);
