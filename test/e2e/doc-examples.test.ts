/**
 * Every request example of the README and docs/API.md, run as written against a local stack:
 * the shell blocks are taken from the documents, not copied here, so an example that no longer
 * works fails this test. Only the addresses change (the stack listens on random ports) and three
 * commands get thin wrappers, defined before the examples:
 * - `curl` also writes `HTTP <status> <method> <url>` to stderr, so every answer is checked;
 * - `npm` runs in the project (the token script reads the stack's secret from LOCAL_DATA_DIR);
 * - `sleep N` (the documents wait out the 20-second local cancellation window) waits, polling,
 *   until the account's applications have settled, so the test does not race the workflow.
 * Expected answers come from the documents themselves: a comment `# 422 {"code":"X"...}` or
 * `# 404 ...` after a command expects that status (and code); every other request must answer
 * 2xx, and `| field status   # delivered` expects that value.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OwnStack, startOwnStack } from '../support/own-stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** The addresses the documents use: `npm start`'s API and SES store. */
const DOC_API = 'http://127.0.0.1:3000';
const DOC_SES = 'http://127.0.0.1:8005';

/** Statuses of an application that waits for nothing but people (or is finished). */
const SETTLED = ['in-review', 'delivered', 'shipped', 'rejected', 'cancelled', 'failed'];

const WRAPPERS = String.raw`
set -eu
curl() { command curl -w '%{stderr}HTTP %{http_code} %{method} %{url_effective}\n' "$@"; }
npm() { command npm --prefix "$ROOT" "$@"; }
sleep() {
  # Until every application of the example account has settled (paper waits after issuing).
  for _ in $(seq 1 240); do
    open=$(command curl -s "$API/v1/applications?limit=100" -H "Authorization: Bearer $TOKEN" | node -e '
      const settled = new Set(process.argv[1].split(","));
      const { items } = JSON.parse(require("fs").readFileSync(0));
      const open = items.filter((a) => !(settled.has(a.status) || (a.status === "issued" && a.delivery?.medium === "paper")));
      console.log(open.length);' "$SETTLED")
    [ "$open" = 0 ] && return 0
    command sleep 0.25
  done
  echo "applications did not settle within 60 s" >&2
  return 1
}
`;

interface Expectation {
  status: number;
  code?: string;
}

interface Run {
  stdout: string;
  /** Every answer's status, in order. */
  answers: { status: number; request: string }[];
  stderr: string;
  exitCode: number | null;
}

/** The `sh` blocks of a document: all of them after `from` (a heading), or those with curl. */
function shellBlocks(document: string, from?: string): string[] {
  let text = readFileSync(join(ROOT, document), 'utf8');
  if (from !== undefined) {
    const at = text.indexOf(from);
    if (at < 0) throw new Error(`${document} has no "${from}"`);
    text = text.slice(at);
  }
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return from !== undefined ? blocks : blocks.filter((block) => /\bcurl\b/.test(block));
}

/** `# 422 {"code":"X", ...}` and `# 404 until ...` annotations, in document order. */
function expectedErrors(script: string): Expectation[] {
  return [...script.matchAll(/#\s*([45]\d\d)\b(?:\s*\{"code":"([A-Z_]+)")?/g)].map((m) => ({
    status: Number(m[1]),
    ...(m[2] ? { code: m[2] } : {}),
  }));
}

/** `| field status   # delivered`: the value that line prints. */
function expectedValues(script: string): string[] {
  return [...script.matchAll(/\| field \w+\s+#\s*([a-z-]+)\s*$/gm)].map((m) => m[1]!);
}

describe('the examples of the README and docs/API.md', () => {
  let own: OwnStack;
  let work: string;

  beforeAll(async () => {
    own = await startOwnStack();
    work = mkdtempSync(join(tmpdir(), 'doc-examples-'));
    // The token script's secret file, as `npm start` keeps it in its data folder.
    writeFileSync(join(work, 'jwt-secret'), `${Buffer.from(own.stack.jwtSecret).toString('base64url')}\n`, {
      mode: 0o600,
    });
  }, 120_000);

  afterAll(async () => {
    await own?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function run(blocks: string[]): Promise<Run> {
    const examples = blocks
      .join('\n')
      .replaceAll(DOC_API, own.stack.apiUrl)
      .replaceAll(DOC_SES, own.stack.sesUrl);
    const file = join(work, 'examples.sh');
    writeFileSync(file, `${WRAPPERS}\n${examples}`);
    // Asynchronously: the stack runs in this process and must keep answering.
    const child = spawn('bash', [file], {
      cwd: work,
      env: {
        ...process.env,
        ROOT,
        SETTLED: SETTLED.join(','),
        LOCAL_DATA_DIR: work,
        // `npm run audit:verify` reads the stack's DynamoDB Local and S3.
        AWS_ENDPOINT_URL_DYNAMODB: own.stack.dynamodbEndpoint,
        AWS_ENDPOINT_URL_S3: own.stack.s3Endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exitCode = await new Promise<number | null>((done) => child.on('close', done));
    const answers = [...stderr.matchAll(/^HTTP (\d{3}) (\S+ \S+)$/gm)].map((m) => ({
      status: Number(m[1]),
      request: m[2]!,
    }));
    return { stdout, stderr, answers, exitCode };
  }

  function expectAnswers(result: Run, script: string, minimumRequests: number): void {
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.answers.length).toBeGreaterThanOrEqual(minimumRequests);
    const errors = result.answers.filter((answer) => answer.status >= 300);
    const expected = expectedErrors(script);
    expect(
      errors.map((e) => e.status),
      JSON.stringify(errors),
    ).toEqual(expected.map((e) => e.status));
    for (const { code } of expected) if (code) expect(result.stdout).toContain(`"code":"${code}"`);
    // Printed on a line of its own (after the previous answer's JSON, which ends without one).
    for (const value of expectedValues(script))
      expect(result.stdout).toMatch(new RegExp(`[}\\n]${value}\\n`));
  }

  it('README: the walk-through, then the audit trail', async () => {
    const blocks = shellBlocks('README.md');
    const script = blocks.join('\n');
    const result = await run(blocks);
    // Every curl line of the README is a request (the loop-free walk-through and the audit block).
    expectAnswers(result, script, script.match(/\bcurl -s\b/g)!.length);
    // The PDF read back, the e-mail in the SES store, the audit chain verified (HTTP and CLI).
    expect(result.stdout).toContain('名称：杭州示例科技有限公司');
    expect(result.stdout).toContain('finance@example.com');
    expect(result.stdout).toContain('"ok":true');
  }, 180_000);

  it('docs/API.md: every example in order', async () => {
    const blocks = shellBlocks('docs/API.md', '## Examples');
    const script = blocks.join('\n');
    const result = await run(blocks);
    // The loop upserts two accounts with one curl line.
    expectAnswers(result, script, script.match(/\bcurl -s\b/g)!.length + 1);
    expect(result.answers.some((a) => a.request.endsWith('/v1/org/applications'))).toBe(true);
  }, 240_000);
});
