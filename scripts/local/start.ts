/**
 * `npm start` (tsx scripts/local/start.ts [--fresh] [--fake-tax-platform]): synthesizes when
 * cdk.out is stale, runs the local stack with its data in `.local/`, seeds demo data, and stops
 * everything on Ctrl-C. `--fake-tax-platform` issues through the fake provider of the tests
 * (docs/tax-platform.md) instead of the simulator.
 */
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildConsoleIfStale, consoleDist } from '../console-build.ts';
import { writeOpenApi } from '../openapi.ts';
import { signLocalToken } from './jwt.ts';
import { seedDemoData } from './seed.ts';
import { type LocalStack, startLocalStack } from './stack.ts';
import { cdkOutDir, LOCAL_CANCEL_WINDOW, projectRoot, type SynthRun, synthesizeIfStale } from './synth.ts';

const dataDir = join(projectRoot, '.local');

let stopping = false;
/** The running `cdk synth`, so a Ctrl-C during it can end it. */
let synth: SynthRun | undefined;
let starting: Promise<LocalStack> | undefined;
/** Helpers started beside the stack (the fake tax platform), closed after it. */
const besideStack: (() => Promise<void>)[] = [];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      'fake-tax-platform': { type: 'boolean', default: false },
    },
    strict: true,
  });
  // Registered first so a Ctrl-C while synthesizing or starting also stops cleanly.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);

  synth = synthesizeIfStale();
  await synth.done;
  synth = undefined;
  if (stopping) return;
  writeOpenApi(join(cdkOutDir, 'openapi.json'));
  await buildConsoleIfStale((line) => console.log(line));
  if (stopping) return;

  if (values.fresh)
    console.log(`--fresh: wiping ${relative(projectRoot, dataDir)}/ (the JWT secret is kept)`);
  const taxPlatform = values['fake-tax-platform']
    ? await (await import('../../test/support/fake-tax-platform.ts')).startFakeTaxPlatform()
    : undefined;
  if (taxPlatform) besideStack.push(() => taxPlatform.close());
  starting = startLocalStack({
    cdkOutDir,
    dataDir,
    fresh: values.fresh,
    runSchedules: true,
    consoleDir: consoleDist,
    ...(taxPlatform ? { functionEnv: { TAX_PLATFORM: taxPlatform.url } } : {}),
  });
  const stack = await starting;
  if (stopping) return;
  taxPlatform?.connect(
    `${stack.apiUrl}/v1/internal/tax-platform-confirmations`,
    await signLocalToken(stack.jwtSecret, { accountId: 'tax-provider', groups: ['tax-platform'] }),
  );

  const seed = await seedDemoData({ apiUrl: stack.apiUrl, jwtSecret: stack.jwtSecret, dataDir });

  const t = stack.timings;
  console.log(
    [
      '',
      `Local stack ready in ${process.uptime().toFixed(1)} s ` +
        `(DynamoDB Local ${((t.dynamodb ?? 0) / 1000).toFixed(1)} s; data in ${relative(projectRoot, dataDir)}/, kept across ` +
        'restarts; `npm start -- --fresh` wipes it)',
      `  Console         ${stack.apiUrl}/   (sign in as any account, customer or finance)`,
      `  API             ${stack.apiUrl}/v1   (OpenAPI: ${stack.apiUrl}/openapi.json)`,
      '  Token           npm run --silent token -- --account demo-enterprise [--groups finance]',
      '                  TOKEN=$(npm run --silent token -- --account demo-enterprise)',
      `                  curl -H "Authorization: Bearer $TOKEN" ${stack.apiUrl}/v1/invoiceable`,
      `  Mail (SES)      ${stack.sesUrl}/store`,
      `  Events          ${stack.eventsUrl}/store   (EventBridge: every event put, docs/events.md)`,
      `  DynamoDB        ${stack.dynamodbEndpoint}`,
      `  Step Functions  ${stack.sfnEndpoint}`,
      `  S3              ${stack.s3Endpoint}`,
      `  Demo            account ${seed.accountId}, approved title ${seed.titleId}`,
      ...(taxPlatform ? [`  Tax platform    ${taxPlatform.url}   (fake provider, answers at once)`] : []),
      `  Cancellation window: ${LOCAL_CANCEL_WINDOW} (20 s locally; deployed stages use their own setting)`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) {
    // A second Ctrl-C: leave now; the DynamoDB exit guard still kills the JVM.
    process.stderr.write('\nForced exit.\n');
    process.exit(130);
  }
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the local stack…\n`);
  synth?.cancel();
  (async () => {
    const stack = await starting?.catch(() => undefined);
    await stack?.stop();
    for (const close of besideStack) await close();
  })().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

main().catch((error: unknown) => {
  if (stopping) return; // shutdown() exits
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  // The stack cleaned up after itself; exit runs the DynamoDB exit guard for anything left.
  process.exit(1);
});
