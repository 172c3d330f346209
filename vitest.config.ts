import { configDefaults, defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.ts';

// Lambda runs in UTC; so do the tests and the local stack they start.
process.env.TZ = 'UTC';
// Every DynamoDB Local the tests start is a short-lived JVM on a busy 2-core machine: the client
// compiler alone and the serial collector halve its start-up and leave the cores to the tests.
process.env.JAVA_TOOL_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', process.env.JAVA_TOOL_OPTIONS]
  .filter(Boolean)
  .join(' ');

/** Tests of the local stack's emulators (scripts/local/*): a project of their own. */
const LOCAL_STACK_TESTS = ['test/unit/local-*.test.ts', 'test/integration/local-*.test.ts'];

export default defineConfig({
  test: {
    // Test files run side by side in every project. Most of a stack test's time is spent
    // waiting (cancellation windows, workflow polls), so more workers than cores pay off; every
    // project shares the one limit (vitest runs projects of different limits one after another).
    maxWorkers: 4,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...LOCAL_STACK_TESTS],
          testTimeout: 30_000,
        },
      },
      {
        // Adapters and renderers against real tools: DynamoDB Local, poppler.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...LOCAL_STACK_TESTS],
          globalSetup: ['test/support/dynamodb-local.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The local stack's emulators (DynamoDB Local's start and persistence, streams, Step
        // Functions, API Gateway, S3, scheduler, template reading).
        test: {
          name: 'local',
          include: LOCAL_STACK_TESTS,
          globalSetup: ['test/support/dynamodb-local.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // One synthesized template for every file (test/support/infra-template.ts).
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          globalSetup: ['test/support/infra-template.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Over the real path: handlers → DynamoDB Local → state machine → SES local. Each file
        // uses accounts of its own (uniqueId), so files run side by side on the shared stack.
        test: {
          name: 'stack',
          include: ['test/e2e/**/*.test.ts', 'test/workflow/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The console in real Chromium (Debian's package) against a stack of its own.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/browser-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      // Whole-stack faults (a service stopped and restarted): minutes long, so `npm run faults`
      // (FAULTS=1) runs them and `npm test` does not.
      ...(process.env.FAULTS
        ? [
            {
              test: {
                name: 'faults',
                include: ['test/faults/**/*.test.ts'],
                globalSetup: ['test/faults/synth-once.ts'],
                testTimeout: 420_000,
                hookTimeout: 300_000,
              },
            },
          ]
        : []),
    ],
  },
});
