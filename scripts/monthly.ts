/**
 * `npm run monthly -- --month YYYY-MM [--sfn http://127.0.0.1:8083] [--dynamodb http://127.0.0.1:8000]`
 *
 * Starts the monthly automatic invoicing run (R31) against `npm start`'s local stack, as the
 * schedule would on the 10th, through the local Step Functions endpoint: StartExecution on
 * `invoice-monthly-<stage>` named `monthly-YYYY-MM`, so starting it again finds the first
 * execution (and a finished run is not repeated). Shows processed/created/skipped from the
 * run's counters until the execution ends, then the summary.
 * Exit code: 0 the run succeeded, 1 it failed or was stopped, 2 usage error.
 */
import { parseArgs } from 'node:util';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DEFAULT_PORTS } from './local/stack.ts';
import { cdkOutDir } from './local/synth.ts';
import { readTemplate } from './local/template.ts';

const USAGE = 'usage: npm run monthly -- --month YYYY-MM [--sfn <url>] [--dynamodb <url>]';
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      month: { type: 'string' },
      sfn: { type: 'string', default: `http://127.0.0.1:${DEFAULT_PORTS.sfn}` },
      dynamodb: { type: 'string', default: `http://127.0.0.1:${DEFAULT_PORTS.dynamodb}` },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const month = values.month;
  if (!month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    console.error(`--month YYYY-MM is required\n${USAGE}`);
    return 2;
  }
  const template = readTemplate(cdkOutDir);
  const machine = template.stateMachines.find((m) => m.name.startsWith('invoice-monthly-'));
  if (!machine) throw new Error(`No monthly state machine in ${cdkOutDir}; run npm start first`);

  // The shared code reads its table the way a Lambda does.
  Object.assign(process.env, {
    TABLE_NAME: template.tables[0]!.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: values.dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const { readShardCounters } = await import('#adapters/monthly-repository');
  const { sumCounters } = await import('#domain/monthly');

  const sfn = new SFNClient({ ...LOCAL, endpoint: values.sfn });
  const name = `monthly-${month}`;
  let executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.arn, name, input: JSON.stringify({ month }) }),
    );
    executionArn = started.executionArn!;
    console.log(`started ${name}`);
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    console.log(`${name} was started before; following it`);
  }

  const started = Date.now();
  let last = '';
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const totals = sumCounters(await readShardCounters(month));
    const line = `processed ${totals.processed}  created ${totals.created} (${totals.createdAmount} fen)  skipped ${totals.skipped}`;
    if (line !== last || execution.status !== 'RUNNING') {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`[${seconds.padStart(6)} s] ${execution.status?.padEnd(9)} ${line}`);
      last = line;
    }
    if (execution.status !== 'RUNNING') {
      if (execution.status !== 'SUCCEEDED') {
        console.error(`${name} ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`);
        return 1;
      }
      for (const [code, count] of Object.entries(totals.skippedByReason)) {
        console.log(`  skipped ${code}: ${count}`);
      }
      console.log(`finance: GET /v1/admin/monthly-runs/${month}`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
