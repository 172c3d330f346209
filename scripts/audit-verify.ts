/**
 * `npm run audit:verify -- --subject application:<id> [--subject invoice:<id>] [--all]
 *   [--endpoint http://127.0.0.1:8000] [--table <name>] [--json]`
 *
 * Recomputes audit chains straight from the table (the same check as
 * GET /v1/admin/audit/{subjectType}/{subjectId}/verify) and names every entry that does not
 * fit. By default it reads `npm start`'s DynamoDB Local and the table of the synthesized
 * template; --endpoint and --table (or AWS_ENDPOINT_URL_DYNAMODB and TABLE_NAME) point it
 * elsewhere, e.g. at a deployed table with the caller's own AWS credentials.
 * Exit code: 0 every chain intact, 1 a chain has problems, 2 usage error or no such trail.
 */
import { parseArgs } from 'node:util';
import { cdkOutDir } from './local/synth.ts';
import { readTemplate } from './local/template.ts';

const USAGE =
  'usage: npm run audit:verify -- (--subject <application|invoice|title|return|copy-request>:<id> ... | --all) ' +
  '[--endpoint <url>] [--table <name>] [--json]';
const SUBJECT_TYPES = ['application', 'invoice', 'title', 'return', 'copy-request'] as const;
type SubjectType = (typeof SUBJECT_TYPES)[number];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      subject: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
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
  const requested = (values.subject ?? []).map(parseSubject);
  if (requested.length === 0 && !values.all) throw new UsageError(`--subject or --all is required\n${USAGE}`);

  // The adapters read their configuration when first imported, as in a Lambda.
  process.env.TABLE_NAME = values.table ?? process.env.TABLE_NAME ?? templateTable();
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'http://127.0.0.1:8000';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  if (/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(endpoint)) {
    // DynamoDB Local checks no signatures; never send a developer's real credentials to it.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { readAuditTrail, scanAuditSubjects } = await import('#adapters/audit-repository');
  const { verifyChain } = await import('#domain/audit');

  const subjects = values.all ? [...requested, ...(await scanAuditSubjects())] : requested;
  let status = 0;
  const results = [];
  for (const subject of subjects) {
    const { entries, head } = await readAuditTrail(subject.type, subject.id);
    if (entries.length === 0 && !head) {
      results.push({ subjectType: subject.type, subjectId: subject.id, found: false });
      if (!values.json) console.log(`${subject.type}:${subject.id}  NOT FOUND  (no audit trail)`);
      status = Math.max(status, 2);
      continue;
    }
    const result = verifyChain(entries, head);
    results.push({ subjectType: subject.type, subjectId: subject.id, found: true, ...result, head });
    if (!result.ok) status = Math.max(status, 1);
    if (values.json) continue;
    const summary = `${result.entries} entries, head ${head ? `${head.seq} ${head.hash.slice(0, 12)}…` : 'missing'}`;
    console.log(`${subject.type}:${subject.id}  ${result.ok ? 'ok' : 'TAMPERED'}  ${summary}`);
    for (const problem of result.problems)
      console.log(`  entry ${problem.seq}: ${problem.kind} — ${problem.detail}`);
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else if (subjects.length === 0) console.log('No audit trails in the table.');
  return status;
}

class UsageError extends Error {}

function parseSubject(text: string): { type: SubjectType; id: string } {
  const at = text.indexOf(':');
  const type = text.slice(0, at) as SubjectType;
  const id = text.slice(at + 1);
  if (at < 0 || !SUBJECT_TYPES.includes(type) || id === '') {
    throw new UsageError(
      `--subject ${text}: expected <application|invoice|title|return|copy-request>:<id>\n${USAGE}`,
    );
  }
  return { type, id };
}

function templateTable(): string {
  const table = readTemplate(cdkOutDir).tables[0];
  if (!table) throw new UsageError(`No table in the template at ${cdkOutDir}; pass --table`);
  return table.tableName;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit:verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
