import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildConsoleIfStale, consoleDist } from '../../scripts/console-build.ts';
import { startLocalStack } from '../../scripts/local/stack.ts';
import { cdkOutDir, synthesizeIfStale } from '../../scripts/local/synth.ts';
import { writeOpenApi } from '../../scripts/openapi.ts';
import './stack-context.ts';

/**
 * Starts the whole local stack once for the stack tests: the synthesized template on fresh
 * in-memory DynamoDB Local and S3, random ports, and a 2-second cancellation window.
 */
export default function setup(project: TestProject) {
  return startTestStack(project, { cancelWindow: 'PT2S' });
}

/** The stack for one test project; the browser tests use a longer window (a person clicks). */
export async function startTestStack(
  project: TestProject,
  options: { cancelWindow: string; consoleUrl?: string },
) {
  await synthesizeIfStale((line) => console.log(`[stack] ${line}`)).done;
  writeOpenApi(join(cdkOutDir, 'openapi.json'));
  // The stack serves the console, as npm start does (the browser tests open it).
  await buildConsoleIfStale((line) => console.log(`[stack] ${line}`));
  const dataDir = mkdtempSync(join(tmpdir(), 'invoice-stack-'));
  const stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: true,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    // Webhook retries after 1 s, and a failing endpoint disabled after 3 attempts in a row.
    functionEnv: {
      CANCEL_WINDOW: options.cancelWindow,
      WEBHOOK_RETRY_BASE_SECONDS: '1',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      ...(options.consoleUrl ? { CONSOLE_URL: options.consoleUrl } : {}),
    },
    quiet: true,
    consoleDir: consoleDist,
    // What the functions log, for the test that no personal data reaches the logs.
    functionLogDir: join(dataDir, 'function-logs'),
  });
  const table = stack.template.tables[0]!;
  const machine = stack.template.stateMachines[0]!;
  project.provide('apiUrl', stack.apiUrl);
  project.provide('sesUrl', stack.sesUrl);
  project.provide('sfnEndpoint', stack.sfnEndpoint);
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('jwtSecretHex', Buffer.from(stack.jwtSecret).toString('hex'));
  project.provide('tableName', table.tableName);
  project.provide('stateMachineArn', machine.arn);
  project.provide('functionLogDir', join(dataDir, 'function-logs'));
  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
