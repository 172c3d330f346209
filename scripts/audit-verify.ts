/**
 * `npm run audit:verify -- --subject application:<id> [--subject invoice:<id>] [--all] [--anchor]
 *   [--endpoint http://127.0.0.1:8000] [--table <name>]
 *   [--s3-endpoint http://127.0.0.1:4569] [--anchors-bucket <name>] [--json]`
 *
 * Recomputes audit chains straight from the table and compares each with its latest anchor
 * outside the table (the same check as GET /v1/admin/audit/{subjectType}/{subjectId}/verify),
 * naming every entry that does not fit; a chain rewritten as a whole shows up as an
 * anchor-mismatch. `--anchor` anchors, on demand, the head of every chain that verified intact
 * (the recorder anchors after each batch anyway; this is for an audit's own record of when it
 * looked, and needs s3:PutObject on the anchors bucket).
 * By default it reads `npm start`'s DynamoDB Local and S3 and the table and anchors bucket of
 * the synthesized template; --endpoint, --table, --s3-endpoint and --anchors-bucket (or
 * AWS_ENDPOINT_URL_DYNAMODB, TABLE_NAME, AWS_ENDPOINT_URL_S3, AUDIT_ANCHORS_BUCKET) point it
 * elsewhere, e.g. at a deployed stack with the caller's own AWS credentials.
 * Exit code: 0 every chain intact, 1 a chain has problems, 2 usage error or no such trail.
 */
import { parseArgs } from 'node:util';
import { cdkOutDir } from './local/synth.ts';
import { readTemplate } from './local/template.ts';

const USAGE =
  'usage: npm run audit:verify -- (--subject <application|invoice|title|return|copy-request>:<id> ... | --all) ' +
  '[--anchor] [--endpoint <url>] [--table <name>] [--s3-endpoint <url>] [--anchors-bucket <name>] [--json]';
const SUBJECT_TYPES = ['application', 'invoice', 'title', 'return', 'copy-request'] as const;
type SubjectType = (typeof SUBJECT_TYPES)[number];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      subject: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      anchor: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      table: { type: 'string' },
      's3-endpoint': { type: 'string' },
      'anchors-bucket': { type: 'string' },
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
  process.env.AUDIT_ANCHORS_BUCKET =
    values['anchors-bucket'] ?? process.env.AUDIT_ANCHORS_BUCKET ?? templateAnchorsBucket();
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB ?? 'http://127.0.0.1:8000';
  const s3Endpoint = values['s3-endpoint'] ?? process.env.AWS_ENDPOINT_URL_S3 ?? 'http://127.0.0.1:4569';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_ENDPOINT_URL_S3 = s3Endpoint;
  const local = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url);
  if (local(endpoint) !== local(s3Endpoint))
    throw new UsageError('--endpoint and --s3-endpoint must both be local or both be AWS');
  if (local(endpoint)) {
    // DynamoDB Local checks no signatures; never send a developer's real credentials to it.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { readAuditTrail, scanAuditSubjects } = await import('#adapters/audit-repository');
  const { getLatestAnchor, putAnchor } = await import('#adapters/audit-anchors');
  const { checkAnchor, verifyChain } = await import('#domain/audit');

  const subjects = values.all ? [...requested, ...(await scanAuditSubjects())] : requested;
  let status = 0;
  const results = [];
  for (const subject of subjects) {
    // The anchor first: an append between the two reads then only puts the head ahead of it.
    const anchor = await getLatestAnchor(subject.type, subject.id);
    const { entries, head } = await readAuditTrail(subject.type, subject.id);
    if (entries.length === 0 && !head) {
      results.push({ subjectType: subject.type, subjectId: subject.id, found: false });
      if (!values.json) console.log(`${subject.type}:${subject.id}  NOT FOUND  (no audit trail)`);
      status = Math.max(status, 2);
      continue;
    }
    const chain = verifyChain(entries, head);
    const problems = [...chain.problems, ...checkAnchor(entries, anchor)];
    const result = { ok: problems.length === 0, entries: chain.entries, problems };
    // On demand: anchor an intact chain's head (never one that does not fit its anchor).
    const anchored = values.anchor && result.ok && head ? head : undefined;
    if (anchored) await putAnchor(subject.type, subject.id, anchored, new Date());
    results.push({
      subjectType: subject.type,
      subjectId: subject.id,
      found: true,
      ...result,
      head,
      anchor,
      ...(anchored ? { anchoredNow: { seq: anchored.seq, hash: anchored.hash } } : {}),
    });
    if (!result.ok) status = Math.max(status, 1);
    if (values.json) continue;
    const anchorText = anchor ? `anchored at ${anchor.seq}` : 'not anchored';
    const summary = `${result.entries} entries, head ${head ? `${head.seq} ${head.hash.slice(0, 12)}…` : 'missing'}, ${anchored ? `anchored now at ${anchored.seq}` : anchorText}`;
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

function templateAnchorsBucket(): string {
  const bucket = readTemplate(cdkOutDir).buckets.find((b) => b.logicalId.startsWith('AuditAnchors'));
  if (!bucket)
    throw new UsageError(`No anchors bucket in the template at ${cdkOutDir}; pass --anchors-bucket`);
  return bucket.bucketName;
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
