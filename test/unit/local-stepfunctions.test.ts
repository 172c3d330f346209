import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaRuntime } from '../../scripts/local/lambda-runtime.ts';
import { type StepFunctionsServer, startStepFunctionsServer } from '../../scripts/local/stepfunctions.ts';
import {
  LambdaInvocationError,
  type LambdaRuntime,
  type LocalStateMachine,
} from '../../scripts/local/types.ts';

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const smArn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

function machine(
  name: string,
  definition: Record<string, unknown>,
  taskFunctions: Record<string, string>,
): LocalStateMachine {
  return { logicalId: `${name}Sm`, name, arn: smArn(name), definition, taskFunctions };
}

/** Definitions shaped the way CDK writes them (LambdaInvoke with and without payloadResponseOnly). */
const machines: LocalStateMachine[] = [
  machine(
    'Basic',
    {
      StartAt: 'Add',
      States: { Add: { Type: 'Task', Resource: fnArn('Adder'), Next: 'Done' }, Done: { Type: 'Succeed' } },
    },
    { Add: 'Adder' },
  ),
  machine(
    'Invoke',
    {
      StartAt: 'Add',
      States: {
        Add: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fnArn('Adder'), 'Payload.$': '$' },
          ResultSelector: { 'sum.$': '$.Payload.sum', 'status.$': '$.StatusCode' },
          End: true,
        },
      },
    },
    { Add: 'Adder' },
  ),
  machine(
    'Catching',
    {
      StartAt: 'Issue',
      States: {
        Issue: {
          Type: 'Task',
          Resource: fnArn('Flaky'),
          Retry: [{ ErrorEquals: ['NumberConflict'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
          Catch: [{ ErrorEquals: ['FooError'], ResultPath: '$.error', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    },
    { Issue: 'Flaky' },
  ),
  machine(
    'Waiting',
    {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } },
    },
    {},
  ),
  machine(
    'Approval',
    {
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: fnArn('Notify'),
            Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id', 'executionId.$': '$$.Execution.Id' },
          },
          ResultPath: '$.approval',
          Catch: [
            { ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'MarkRejected' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'MarkTimedOut' },
          ],
          End: true,
        },
        MarkRejected: { Type: 'Pass', Result: 'rejected', ResultPath: '$.outcome', End: true },
        MarkTimedOut: { Type: 'Pass', Result: 'timed out', ResultPath: '$.outcome', End: true },
      },
    },
    { Approve: 'Notify' },
  ),
  machine(
    'QuickApproval',
    {
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          TimeoutSeconds: 1,
          Parameters: {
            FunctionName: fnArn('Notify'),
            Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' },
          },
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
          End: true,
        },
        TimedOut: { Type: 'Pass', End: true },
      },
    },
    { Approve: 'Notify' },
  ),
  machine(
    'Redrivable',
    {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Task', Resource: fnArn('Adder'), ResultPath: '$.prepared', Next: 'Issue' },
        Issue: { Type: 'Task', Resource: fnArn('Flaky'), ResultPath: '$.issued', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
    { Prepare: 'Adder', Issue: 'Flaky' },
  ),
  machine(
    'Fanout',
    {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: fnArn('Adder'), End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: { sum: 0 }, End: true } } },
          ],
          ResultPath: '$.both',
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'AddOne',
            States: { AddOne: { Type: 'Task', Resource: fnArn('Adder'), End: true } },
          },
          ResultPath: '$.each',
          End: true,
        },
      },
    },
    { Left: 'Adder', AddOne: 'Adder' },
  ),
];

// A fake Lambda runtime: what each function does, and every call it received.
const calls: { functionId: string; event: Record<string, unknown> }[] = [];
let flakyFailures = 0;
const handlers: Record<string, (event: Record<string, unknown>) => unknown> = {
  Adder: (event) => ({ sum: Number(event.a ?? 0) + Number(event.b ?? 0) }),
  Flaky: (event) => {
    if (event.mode === 'foo')
      throw new LambdaInvocationError('FooError', 'foo happened', ['FooError: foo happened']);
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new LambdaInvocationError('NumberConflict', 'number taken');
    }
    return { issued: true };
  },
  Notify: () => ({ notified: true }),
};
const fakeLambda: LambdaRuntime = {
  async invoke(functionId, event) {
    calls.push({ functionId, event: event as Record<string, unknown> });
    const handler = handlers[functionId];
    if (!handler) throw new LambdaInvocationError('ResourceNotFoundException', functionId);
    return handler(event as Record<string, unknown>);
  },
  async close() {},
};

function client(server: StepFunctionsServer): SFNClient {
  return new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The token handed to the Notify Lambda for an execution. */
function tokenFor(executionArn: string, after = 0): Promise<string> {
  return until(() => {
    const call = calls
      .slice(after)
      .find((c) => c.functionId === 'Notify' && c.event.executionId === executionArn);
    return call ? String(call.event.token) : undefined;
  });
}

describe('local Step Functions server', () => {
  let server: StepFunctionsServer;
  let sfn: SFNClient;

  beforeAll(async () => {
    server = await startStepFunctionsServer({
      port: 0,
      stateMachines: machines,
      lambda: fakeLambda,
      retryIntervalOverrides: { '*': 0 },
    });
    sfn = client(server);
  });

  afterAll(async () => {
    sfn.destroy();
    await server.close();
  });

  const start = async (name: string, input: unknown, executionName?: string) => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: smArn(name),
        input: JSON.stringify(input),
        name: executionName,
      }),
    );
    return executionArn ?? '';
  };

  it('starts, runs and describes an execution', async () => {
    const arn = await start('Basic', { a: 2, b: 3 }, 'first');
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:execution:Basic:first');
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(running.startDate).toBeInstanceOf(Date);
    await server.waitForExecution(arn);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      name: 'first',
      stateMachineArn: smArn('Basic'),
      input: '{"a":2,"b":3}',
      output: '{"sum":5}',
    });
    expect(done.stopDate?.getTime()).toBeGreaterThanOrEqual(done.startDate?.getTime() ?? Infinity);
    expect(Math.abs((done.startDate?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('wraps lambda:invoke results the way the service integration does', async () => {
    const arn = await start('Invoke', { a: 1, b: 1 });
    expect(await server.waitForExecution(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"sum":2,"status":200}',
    });
  });

  it("catches a handler's named error with Catch, with Lambda's error document as Cause", async () => {
    const arn = await start('Catching', { mode: 'foo' });
    const done = await server.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '{}');
    expect(output.error.Error).toBe('FooError');
    expect(JSON.parse(output.error.Cause)).toEqual({
      errorType: 'FooError',
      errorMessage: 'foo happened',
      trace: ['FooError: foo happened'],
    });
  });

  it('retries a named error and then succeeds; the history shows each attempt', async () => {
    flakyFailures = 2;
    const arn = await start('Catching', {});
    expect(await server.waitForExecution(arn)).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"issued":true}',
    });
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const count = (type: string) => events.filter((event) => event.type === type).length;
    expect(count('TaskStateEntered')).toBe(1);
    expect(count('TaskScheduled')).toBe(3);
    expect(count('TaskFailed')).toBe(2);
    expect(count('TaskSucceeded')).toBe(1);
    expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe(
      'NumberConflict',
    );
  });

  it('fails the execution with the handler error when nothing catches it', async () => {
    flakyFailures = 10;
    const arn = await start('Catching', {});
    const done = await server.waitForExecution(arn);
    flakyFailures = 0;
    expect(done).toMatchObject({ status: 'FAILED', error: 'NumberConflict' });
    expect(JSON.parse(done.cause ?? '{}')).toMatchObject({
      errorType: 'NumberConflict',
      errorMessage: 'number taken',
    });
  });

  it('redrives a failed execution from the state that failed, with its input; earlier states do not run again', async () => {
    // Prepare: Issue fails once, uncaught
    flakyFailures = 1;
    const arn = await start('Redrivable', { a: 1, b: 2 }, 'redrive-me');
    const failed = await server.waitForExecution(arn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'NumberConflict' });
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).toMatchObject({
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    const before = calls.length;

    // Act
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const done = await server.waitForExecution(arn);

    // Assess: only Issue ran again, with what it was given the first time; same ARN, now succeeded
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toEqual({
      a: 1,
      b: 2,
      prepared: { sum: 3 },
      issued: { issued: true },
    });
    expect(calls.slice(before).map((c) => [c.functionId, c.event])).toEqual([
      ['Flaky', { a: 1, b: 2, prepared: { sum: 3 } }],
    ]);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.indexOf('ExecutionRedriven')).toBeGreaterThan(types.indexOf('ExecutionFailed'));
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });

  it('refuses to redrive a running or succeeded execution (ExecutionNotRedrivable)', async () => {
    const succeeded = await start('Basic', { a: 1, b: 1 });
    await server.waitForExecution(succeeded);
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: succeeded }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
    const waiting = await start('Waiting', {});
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: waiting }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
    await sfn.send(new StopExecutionCommand({ executionArn: waiting }));
  });

  it('records a history a benchmark can count state transitions from', async () => {
    const arn = await start('Basic', { a: 1, b: 1 });
    await server.waitForExecution(arn);
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => [event.id, event.previousEventId])).toEqual(
      events.map((_, i) => [i + 1, i]),
    );
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Add', input: '{"a":1,"b":1}' });
    expect(events.at(-1)?.executionSucceededEventDetails?.output).toBe('{"sum":2}');

    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 4, reverseOrder: true }),
    );
    expect(page.events?.map((event) => event.id)).toEqual([9, 8, 7, 6]);
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, nextToken: page.nextToken }),
    );
    expect(rest.events?.map((event) => event.id)).toEqual([5, 4, 3, 2, 1]);
  });

  it('runs Parallel branches and Map iterations with the same task mapping', async () => {
    const arn = await start('Fanout', { a: 1, b: 2, items: [{ a: 1 }, { a: 2 }, { a: 3 }] });
    const done = await server.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '{}');
    expect(output.both).toEqual([{ sum: 3 }, { sum: 0 }]);
    expect(output.each).toEqual([{ sum: 1 }, { sum: 2 }, { sum: 3 }]);
    const types = server.history(arn).map((event) => event.type);
    expect(types.filter((type) => type === 'MapIterationStarted')).toHaveLength(3);
    expect(types).toContain('ParallelStateEntered');
    expect(types).toContain('MapStateExited');
  });

  it('aborts a waiting execution with StopExecution', async () => {
    const arn = await start('Waiting', {});
    await until(() =>
      server.history(arn).some((event) => event.type === 'WaitStateEntered') ? true : undefined,
    );
    const stop = await sfn.send(
      new StopExecutionCommand({ executionArn: arn, error: 'Cancelled', cause: 'by test' }),
    );
    expect(stop.stopDate).toBeInstanceOf(Date);
    const done = await server.waitForExecution(arn, 2000);
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by test' });
    expect(server.history(arn).at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled', cause: 'by test' },
    });
  });

  it('treats a repeated name like AWS: idempotent while running with the same input, a conflict otherwise', async () => {
    const arn = await start('Waiting', { n: 1 }, 'dup');
    const first = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('Waiting'), name: 'dup', input: '{"n":1}' }),
    );
    expect(again.executionArn).toBe(arn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(
      sfn.send(
        new StartExecutionCommand({ stateMachineArn: smArn('Waiting'), name: 'dup', input: '{"n":2}' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await expect(
      sfn.send(
        new StartExecutionCommand({ stateMachineArn: smArn('Waiting'), name: 'dup', input: '{"n":1}' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('parks a waitForTaskToken task until SendTaskSuccess', async () => {
    const arn = await start('Approval', { id: 'app-1' });
    const token = await tokenFor(arn);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'finance' }) }),
    );
    const done = await server.waitForExecution(arn);
    expect(JSON.parse(done.output ?? '{}')).toEqual({ id: 'app-1', approval: { approvedBy: 'finance' } });
    // A token is good for one answer.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails a waitForTaskToken task with the SendTaskFailure error, which Catch matches', async () => {
    const arn = await start('Approval', { id: 'app-2' });
    const token = await tokenFor(arn);
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'over budget' }));
    const done = await server.waitForExecution(arn);
    expect(JSON.parse(done.output ?? '{}')).toEqual({
      id: 'app-2',
      rejection: { Error: 'Rejected', Cause: 'over budget' },
      outcome: 'rejected',
    });
  });

  it('stops a parked execution; its token is then no longer accepted', async () => {
    const arn = await start('Approval', { id: 'app-stop' });
    const token = await tokenFor(arn);
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    expect(await server.waitForExecution(arn, 2000)).toMatchObject({ status: 'ABORTED' });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it("times a parked task out after the state's TimeoutSeconds", async () => {
    const arn = await start('QuickApproval', { id: 'app-3' });
    const token = await until(() => {
      const call = calls.find((c) => c.functionId === 'Notify' && c.event.id === 'app-3');
      return call ? String(call.event.token) : undefined;
    });
    const done = await server.waitForExecution(arn);
    expect(JSON.parse(done.output ?? '{}').timeout.Error).toBe('States.Timeout');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('ends a token wait after an overridden TimeoutSeconds (taskTimeoutOverrides), and then refuses its token', async () => {
    const quick = await startStepFunctionsServer({
      port: 0,
      stateMachines: machines,
      lambda: fakeLambda,
      taskTimeoutOverrides: { Approve: 1 },
    });
    const quickSfn = client(quick);
    try {
      const { executionArn = '' } = await quickSfn.send(
        new StartExecutionCommand({
          stateMachineArn: smArn('Approval'),
          input: JSON.stringify({ id: 'app-4' }),
        }),
      );
      const token = await tokenFor(executionArn);
      const done = await quick.waitForExecution(executionArn);
      expect(JSON.parse(done.output ?? '{}')).toMatchObject({ outcome: 'timed out' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await expect(
        quickSfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      ).rejects.toBeInstanceOf(TaskTimedOut);
    } finally {
      quickSfn.destroy();
      await quick.close();
    }
  });

  it('rejects malformed and unknown task tokens', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'nope', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new SendTaskFailureCommand({ taskToken: `LOCAL${'A'.repeat(64)}`, error: 'X' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('lists executions by state machine and status, newest first, in pages', async () => {
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push(await start('Basic', { a: i, b: 0 }, `list-${i}`));
    await Promise.all(arns.map((arn) => server.waitForExecution(arn)));
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: smArn('Basic'),
        statusFilter: 'SUCCEEDED',
        maxResults: 2,
      }),
    );
    expect(page.executions?.map((execution) => execution.name)).toEqual(['list-2', 'list-1']);
    const rest = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: smArn('Basic'),
        statusFilter: 'SUCCEEDED',
        nextToken: page.nextToken,
      }),
    );
    expect(rest.executions?.map((execution) => execution.name)).toContain('list-0');
    expect(rest.executions?.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: smArn('Basic'), statusFilter: 'RUNNING' }),
    );
    expect(running.executions).toEqual([]);
  });

  it('reports unknown state machines and describes known ones', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('Nope'), input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: smArn('Approval') }));
    expect(described).toMatchObject({ name: 'Approval', status: 'ACTIVE', type: 'STANDARD' });
    // The definition is served as written, task token path included.
    expect(described.definition).toContain('$$.Task.Token');
  });
});

describe('local Step Functions server start', () => {
  it('refuses task resources it cannot run locally, naming the states', async () => {
    const sqs = machine(
      'Queueing',
      {
        StartAt: 'Enqueue',
        States: {
          Enqueue: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage',
            Parameters: {
              QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/q',
              'MessageBody.$': '$',
            },
            End: true,
          },
        },
      },
      {},
    );
    await expect(
      startStepFunctionsServer({ port: 0, stateMachines: [sqs], lambda: fakeLambda }),
    ).rejects.toThrow(/Queueing.*Enqueue \(arn:aws:states:::sqs:sendMessage\)/);
  });
});

describe('local Step Functions server with the real Lambda runtime', () => {
  let root: string;
  let lambda: LambdaRuntime;
  let server: StepFunctionsServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'local-sfn-lambda-'));
    mkdirSync(join(root, 'issue'));
    writeFileSync(
      join(root, 'issue', 'index.mjs'),
      `class NumberConflict extends Error { constructor(m) { super(m); this.name = 'NumberConflict'; } }
       export const handler = async (event) => {
         if (event.conflict) throw new NumberConflict('number ' + event.conflict + ' is taken');
         return { issued: event.id };
       };`,
    );
    lambda = createLambdaRuntime(
      [
        {
          logicalId: 'IssueFn',
          assetDir: join(root, 'issue'),
          handler: 'index.handler',
          environment: {},
          timeoutSeconds: 5,
        },
      ],
      { env: {}, quiet: true },
    );
    server = await startStepFunctionsServer({
      port: 0,
      lambda,
      stateMachines: [
        machine(
          'Issuing',
          {
            StartAt: 'Issue',
            States: {
              Issue: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: fnArn('IssueFn'), 'Payload.$': '$' },
                OutputPath: '$.Payload',
                Catch: [{ ErrorEquals: ['NumberConflict'], ResultPath: '$.error', Next: 'Conflict' }],
                End: true,
              },
              Conflict: { Type: 'Pass', End: true },
            },
          },
          { Issue: 'IssueFn' },
        ),
      ],
    });
  });

  afterAll(async () => {
    await server.close();
    await lambda.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a bundled handler and catches its named error', async () => {
    const sfn = client(server);
    const ok = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('Issuing'), input: '{"id":7}' }),
    );
    expect((await server.waitForExecution(ok.executionArn ?? '')).output).toBe('{"issued":7}');
    const conflict = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('Issuing'), input: '{"id":8,"conflict":42}' }),
    );
    const done = await server.waitForExecution(conflict.executionArn ?? '');
    const error = JSON.parse(done.output ?? '{}').error;
    expect(error.Error).toBe('NumberConflict');
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'NumberConflict',
      errorMessage: 'number 42 is taken',
    });
    sfn.destroy();
  });
});

describe('local Step Functions server persistence', () => {
  let dataDir: string;
  const servers: StepFunctionsServer[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-sfn-data-'));
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps finished executions and replays running ones from the start after a restart', async () => {
    const first = await startStepFunctionsServer({
      port: 0,
      stateMachines: machines,
      lambda: fakeLambda,
      dataDir,
    });
    servers.push(first);
    let sfn = client(first);
    const finished = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('Basic'), input: '{"a":4,"b":4}' }),
    );
    await first.waitForExecution(finished.executionArn ?? '');
    const parked = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: smArn('Approval'),
        name: 'survivor',
        input: '{"id":"app-9"}',
      }),
    );
    const parkedArn = parked.executionArn ?? '';
    const oldToken = await tokenFor(parkedArn);
    sfn.destroy();
    await first.close(); // the process "stops" with the execution parked
    servers.length = 0;

    const callsBefore = calls.length;
    const logged: string[] = [];
    let stackReady = () => {};
    const second = await startStepFunctionsServer({
      port: 0,
      stateMachines: machines,
      lambda: fakeLambda,
      dataDir,
      log: (message) => logged.push(message),
      replayAfter: new Promise<void>((resolve) => {
        stackReady = resolve;
      }),
    });
    // Nothing replays until the rest of the stack is ready.
    await expect(second.waitForExecution(parkedArn, 100)).rejects.toThrow(/still RUNNING/);
    expect(calls.length).toBe(callsBefore);
    stackReady();
    servers.push(second);
    sfn = client(second);
    const restored = await sfn.send(new DescribeExecutionCommand({ executionArn: finished.executionArn }));
    expect(restored).toMatchObject({ status: 'SUCCEEDED', output: '{"sum":8}' });

    // Replayed from the beginning: the Lambda is asked again, with a new token.
    const newToken = await tokenFor(parkedArn, callsBefore);
    expect(logged).toEqual([expect.stringContaining(`replaying ${parkedArn}`)]);
    expect(newToken).not.toBe(oldToken);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: newToken, output: '{"approved":true}' }));
    const done = await second.waitForExecution(parkedArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: 'survivor' });
    expect(JSON.parse(done.output ?? '{}').approval).toEqual({ approved: true });
    expect(Math.abs(done.startDate - (parked.startDate?.getTime() ?? 0))).toBeLessThanOrEqual(1); // original start kept
    sfn.destroy();
  });
});
