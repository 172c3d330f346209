/**
 * `npm run --silent token -- --account <id> [--groups a,b] [--expires-in 12h]`
 * Prints only a token the local API accepts, so `TOKEN=$(npm run --silent token -- ...)` works.
 * The secret lives in the local data dir (`.local/`, or env LOCAL_DATA_DIR), shared with `npm start`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadOrCreateJwtSecret, signLocalToken } from './local/jwt.ts';

const usage = 'usage: npm run --silent token -- --account <id> [--groups a,b] [--expires-in 12h]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      account: { type: 'string' },
      groups: { type: 'string' },
      'expires-in': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.account === undefined || values.account.trim() === '')
    throw new Error(`--account is required\n${usage}`);

  const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? resolve(projectRoot, '.local'));
  const groups = values.groups
    ?.split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const token = await signLocalToken(loadOrCreateJwtSecret(dataDir), {
    accountId: values.account.trim(),
    groups,
    expiresIn: values['expires-in'],
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
