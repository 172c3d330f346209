import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PERMANENT_TASK_ERRORS } from '#domain/workflow-errors';
import { AUDITED_KEYS } from '../../infra/constructs/audit.ts';
import { ROUTES } from '../../infra/routes.ts';
import { readSettings } from '../../infra/settings.ts';
import { matchesPattern } from '../../scripts/local/streams.ts';
import { sharedTemplate } from '../support/infra-template.ts';
import {
  type Asl,
  apiMethods,
  buildApp,
  CDK_CONTEXT,
  type CfnResource,
  definitionOf,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  keyPaths,
  readValidationReport,
  resources,
  successors,
} from './helpers.ts';

const SYNTH_TIMEOUT = 60_000;
const stage = String(CDK_CONTEXT['invoice:stage']);

let template: Template;
const only = (type: string): [string, CfnResource] => {
  const found = Object.entries(resources(template, type));
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

/** The application lifecycle machine (the monthly run has its own: test/infra/monthly.test.ts). */
const applicationMachine = (): [string, CfnResource] => {
  const found = Object.entries(resources(template, 'AWS::StepFunctions::StateMachine')).filter(([, sm]) =>
    String(sm.Properties.StateMachineName).startsWith('invoice-applications-'),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  // Prepare: the shared template has no nag, so a nag regression fails the nag tests only.
  template = sharedTemplate();
}, SYNTH_TIMEOUT);

describe('DynamoDB table', () => {
  it('is on demand, with point-in-time recovery, TTL on expiresAt and the gsi1/gsi2/gsi3 keys the adapters use', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'gsi3',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });

  it('is encrypted with a customer-managed KMS key that rotates', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    const keyId = Object.keys(resources(template, 'AWS::KMS::Key')).find(
      (id) =>
        flattenIntrinsics((table.Properties.SSESpecification as Json)?.KMSMasterKeyId ?? '') ===
        `\${GetAtt:${id}.Arn}`,
    );
    expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(keyId, 'SSESpecification.KMSMasterKeyId points at a key of this stack').toBeDefined();
    expect(template.toJSON().Resources[keyId!].Properties).toMatchObject({ EnableKeyRotation: true });
  });
});

describe('documents bucket', () => {
  // The bucket the functions are told to use, not whichever bucket comes first.
  let bucketId: string;
  let bucket: CfnResource;
  beforeAll(() => {
    // The first function that is told a bucket (each function gets only the variables it reads).
    const fn = Object.values(resources(template, 'AWS::Lambda::Function')).find(
      (f) => ((f.Properties.Environment as Json).Variables as Json).DOCUMENTS_BUCKET,
    )!;
    const variables = (fn.Properties.Environment as Json).Variables as { DOCUMENTS_BUCKET: { Ref: string } };
    bucketId = variables.DOCUMENTS_BUCKET.Ref;
    // Every function told a bucket is told the same one.
    for (const f of Object.values(resources(template, 'AWS::Lambda::Function'))) {
      const told = ((f.Properties.Environment as Json).Variables as Json).DOCUMENTS_BUCKET;
      if (told) expect(told).toEqual({ Ref: bucketId });
    }
    bucket = resources(template, 'AWS::S3::Bucket')[bucketId]!;
  });

  it('blocks all public access, is encrypted and versioned', () => {
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: expect.stringMatching(/^(AES256|aws:kms|aws:kms:dsse)$/),
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('keeps every PDF under Object Lock in compliance mode for the configured retention', () => {
    const years = Number(CDK_CONTEXT['invoice:documentRetentionYears']);
    expect(years).toBeGreaterThanOrEqual(1);
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 * years } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('lets no function delete a PDF: writers may only add them', () => {
    const statements = Object.values(iamPolicies(template)).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement,
    );
    const onBucket = statements.filter(
      (st) => st.Effect === 'Allow' && JSON.stringify(st.Resource ?? '').includes(bucketId),
    );
    expect(onBucket.length).toBeGreaterThan(0);
    expect(onBucket.flatMap((st) => [st.Action].flat()).some((a) => String(a).startsWith('s3:Delete'))).toBe(
      false,
    );
  });

  it('denies every request that is not over TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: Match.anyValue(),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('writes server access logs to a separate private bucket', () => {
    const logging = bucket.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } };
    expect(logging?.DestinationBucketName?.Ref).toBeDefined();
    expect(logging.DestinationBucketName.Ref).not.toBe(bucketId);
    expect(
      resources(template, 'AWS::S3::Bucket')[logging.DestinationBucketName.Ref]?.Properties,
    ).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
    });
  });
});

describe('Lambda functions', () => {
  it('run Node.js 22 on arm64 with active tracing', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it("all log to the stack's one function log group, which has a retention", () => {
    const logGroups = resources(template, 'AWS::Logs::LogGroup');
    const used = Object.entries(resources(template, 'AWS::Lambda::Function')).map(([id, fn]) => {
      const ref = ((fn.Properties.LoggingConfig as Json)?.LogGroup as { Ref?: string })?.Ref;
      expect(ref, `${id} LoggingConfig.LogGroup`).toBeDefined();
      expect(logGroups[ref!]?.Properties.RetentionInDays, `${id} log retention`).toBeGreaterThan(0);
      return ref;
    });
    // One group for all (streams are named after the function): one resource, not one each.
    expect(new Set(used)).toEqual(new Set([used[0]]));
  });

  it('every function gets TABLE_NAME (the table-facts consumer for its event markers); every STATE_MACHINE_ARN is built from the machine’s fixed name, and the starters get it', () => {
    const [tableId] = only('AWS::DynamoDB::Table');
    const [, stateMachine] = applicationMachine();
    expect(stateMachine.Properties.StateMachineName).toBe(`invoice-applications-${stage}`);
    const expectedArn = `arn:\${Ref:AWS::Partition}:states:\${Ref:AWS::Region}:\${Ref:AWS::AccountId}:stateMachine:invoice-applications-${stage}`;
    const told: string[] = [];
    for (const [id, fn] of Object.entries(resources(template, 'AWS::Lambda::Function'))) {
      const variables = (fn.Properties.Environment as Json).Variables as Json;
      expect(variables.TABLE_NAME, id).toEqual({ Ref: tableId });
      if (variables.STATE_MACHINE_ARN === undefined) continue;
      expect(flattenIntrinsics(variables.STATE_MACHINE_ARN), id).toBe(expectedArn);
      told.push(id);
    }
    // The create path (API and monthly run) and the sweeper start executions: they need the ARN.
    for (const prefix of [
      'ApiApplicationsWrite',
      'ApiOrganizations',
      'SweeperStartPending',
      'MonthlyProcessShard',
    ])
      expect(
        told.some((id) => id.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  it('may start executions of that very ARN (the create-application role)', () => {
    const statements = Object.values(iamPolicies(template)).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement,
    );
    const start = statements.filter((s) => s.Action === 'states:StartExecution');
    expect(start.length).toBeGreaterThan(0);
    for (const s of start) {
      expect(flattenIntrinsics(s.Resource)).toMatch(
        new RegExp(`:states:.*:stateMachine:invoice-(applications|monthly|returns)-${stage}$`),
      );
    }
  });
});

describe('state machine', () => {
  let asl: Asl;
  beforeAll(() => {
    asl = definitionOf(applicationMachine()[1]);
  });

  it('is a Standard state machine with X-Ray tracing and ALL-level logging', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', Destinations: Match.anyValue() }),
    });
  });

  it('is JSONPath only, which the local runner can execute: no JSONata, Assign, Arguments, Output, ItemReader', () => {
    const forbidden = keyPaths(asl).filter(
      ({ key, value }) =>
        ['Assign', 'Arguments', 'Output', 'ItemReader'].includes(key) ||
        (key === 'QueryLanguage' && value === 'JSONata'),
    );
    expect(forbidden.map((f) => f.path)).toEqual([]);
  });

  it('has the lifecycle states', () => {
    expect(asl.StartAt).toBe('WaitForCancellationDeadline');
    expect(asl.States).toMatchObject({
      WaitForCancellationDeadline: { Type: 'Wait', TimestampPath: '$.waitUntil' },
      Review: { Type: 'Task' },
      RouteByReview: { Type: 'Choice' },
      AwaitFinanceDecision: {
        Type: 'Task',
        Resource: expect.stringMatching(/^arn:.*:states:::lambda:invoke\.waitForTaskToken$/),
        TimeoutSeconds: expect.any(Number),
      },
      IssueInvoices: { Type: 'Task' },
      DeliverInvoices: { Type: 'Task' },
      FailApplication: { Type: 'Task' },
      Done: { Type: 'Succeed' },
    });
    expect(asl.States.AwaitFinanceDecision?.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('waits for a tax platform that confirms later on a task token, polling with backoff (docs/tax-platform.md)', () => {
    // Not yet confirmed: IssueInvoices throws TaxPlatformPending, not retried, caught into the wait.
    expect(asl.States.IssueInvoices!.Retry).toContainEqual({
      ErrorEquals: ['TaxPlatformRefused', 'TaxPlatformPending'],
      MaxAttempts: 0,
    });
    expect(asl.States.IssueInvoices!.Catch![0]).toMatchObject({
      ErrorEquals: ['TaxPlatformPending'],
      Next: 'AwaitTaxPlatform',
    });
    const wait = asl.States.AwaitTaxPlatform!;
    expect(wait).toMatchObject({
      Resource: expect.stringMatching(/^arn:.*:states:::lambda:invoke\.waitForTaskToken$/),
      TimeoutSeconds: 120,
      Next: 'IssueInvoices',
      // 7 waits of 2 minutes and the pauses between them (1 + 2 + … + 32 minutes): 4,620 s in all.
      Parameters: {
        Payload: { step: 'await-tax-platform', 'taskToken.$': '$$.Task.Token', maxWaitSeconds: 4_620 },
      },
    });
    expect(wait.Retry).toContainEqual({ ErrorEquals: ['TaxPlatformTimeout'], MaxAttempts: 0 });
    // Each wait that times out is one poll: asked again after 1 minute, doubling, six times.
    expect(wait.Retry).toContainEqual({
      ErrorEquals: ['States.Timeout'],
      IntervalSeconds: 60,
      BackoffRate: 2,
      MaxAttempts: 6,
    });
    expect(wait.Catch).toContainEqual(expect.objectContaining({ Next: 'FailApplication' }));
  });

  it('passes the task token to the finance-review task', () => {
    expect(asl.States.AwaitFinanceDecision?.Parameters).toMatchObject({
      Payload: { 'taskToken.$': '$$.Task.Token' },
    });
  });

  describe('every task but FailApplication', () => {
    const taskNames = () =>
      Object.entries(asl.States)
        .filter(([name, state]) => state.Type === 'Task' && name !== 'FailApplication')
        .map(([name]) => name);

    it('covers the five lifecycle tasks', () => {
      expect(taskNames().sort()).toEqual([
        'AwaitFinanceDecision',
        'AwaitTaxPlatform',
        'DeliverInvoices',
        'IssueInvoices',
        'Review',
      ]);
    });

    it.each(['Review', 'AwaitFinanceDecision', 'IssueInvoices', 'AwaitTaxPlatform', 'DeliverInvoices'])(
      '%s catches every error into FailApplication',
      (name) => {
        expect(asl.States[name]?.Catch).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'FailApplication' }),
          ]),
        );
      },
    );

    it.each(['Review', 'AwaitFinanceDecision', 'IssueInvoices', 'AwaitTaxPlatform', 'DeliverInvoices'])(
      '%s does not retry a PermanentTaskError (first Retry, MaxAttempts 0)',
      (name) => {
        expect(asl.States[name]?.Retry?.[0]).toEqual({
          ErrorEquals: [...PERMANENT_TASK_ERRORS],
          MaxAttempts: 0,
        });
      },
    );
  });

  it('FailApplication does not catch into itself and ends in a Fail state', () => {
    const fail = asl.States.FailApplication!;
    expect(fail.Catch ?? []).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ Next: 'FailApplication' })]),
    );
    expect(asl.States[fail.Next ?? '']?.Type).toBe('Fail');
  });

  it.each([
    [
      'electronic, rule-approved',
      ['WaitForCancellationDeadline', 'Review', 'RouteByReview', 'IssueInvoices', 'DeliverInvoices', 'Done'],
    ],
    [
      'electronic, finance-approved',
      [
        'WaitForCancellationDeadline',
        'Review',
        'RouteByReview',
        'AwaitFinanceDecision',
        'RouteByDecision',
        'IssueInvoices',
        'DeliverInvoices',
        'Done',
      ],
    ],
  ])('the %s path is a real path of at most 12 states (DESIGN.md budget)', (_, path) => {
    expect(path[0]).toBe(asl.StartAt);
    for (let i = 1; i < path.length; i++) {
      const from = asl.States[path[i - 1]!]!;
      expect(successors(from), `${path[i - 1]} → ${path[i]}`).toContain(path[i]);
    }
    expect(asl.States[path.at(-1)!]?.Type).toBe('Succeed');
    expect(path.length).toBeLessThanOrEqual(12);
  });
});

describe('REST API', () => {
  it('is a REST API that serves PDFs as binary and takes JSON bodies as bytes', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: Match.arrayWith(['application/pdf', 'application/json']),
    });
  });

  it('lets the functions that create applications run 25 s (chunked reservations), every other API function 10 s, all under API Gateway’s 29 s', () => {
    const timeouts = Object.fromEntries(
      Object.entries(template.findResources('AWS::Lambda::Function'))
        .filter(([id]) => /^Api[A-Z]/.test(id))
        .map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.Timeout]),
    );
    expect(timeouts).toMatchObject({
      ApiApplicationsWrite: 25,
      ApiOrganizations: 25,
      ApiApplicationsRead: 10,
    });
    expect(Object.values(timeouts).every((t) => t === 10 || t === 25)).toBe(true);
  });

  it('checks bodies in the functions only: no request models (JSON bodies arrive as bytes)', () => {
    template.resourceCountIs('AWS::ApiGateway::Model', 0);
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      expect(method.Properties.RequestModels).toBeUndefined();
    }
  });

  it('has every route of infra/routes.ts, and no other method (no CORS preflight: same origin)', () => {
    const routes = apiMethods(template)
      .map((m) => m.route)
      .sort();
    expect(routes).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('requires path parameters the routes declare', () => {
    for (const { route, properties } of apiMethods(template)) {
      const params = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(properties.RequestParameters ?? {}, route).toEqual(
        Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true])),
      );
    }
  });

  it('puts the Cognito user-pool authorizer and the request validator on every method', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGateway::Authorizer');
    const [userPoolId] = only('AWS::Cognito::UserPool');
    const [validatorId] = only('AWS::ApiGateway::RequestValidator');
    expect(authorizer.Properties).toMatchObject({
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [{ 'Fn::GetAtt': [userPoolId, 'Arn'] }],
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const methods = apiMethods(template);
    expect(methods.length).toBeGreaterThan(0);
    for (const { route, properties } of methods) {
      expect(properties, route).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: authorizerId },
        RequestValidatorId: { Ref: validatorId },
      });
    }
  });

  it('has a stage with access logs, X-Ray tracing and throttling', () => {
    const [, apiStage] = only('AWS::ApiGateway::Stage');
    expect(apiStage.Properties).toMatchObject({
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: expect.anything(), Format: expect.any(String) },
    });
    // Stage-wide limits: on the stage itself, or in the method settings for every path and method.
    const stageWide = [
      apiStage.Properties,
      ...((apiStage.Properties.MethodSettings as Json[] | undefined) ?? []).filter(
        (s) => s.ResourcePath === '/*' && s.HttpMethod === '*',
      ),
    ];
    const limits = stageWide.filter(
      (s) => typeof s.ThrottlingRateLimit === 'number' && typeof s.ThrottlingBurstLimit === 'number',
    );
    expect(limits, 'ThrottlingRateLimit/BurstLimit on the stage or its /* method settings').not.toHaveLength(
      0,
    );
    for (const l of limits) {
      expect(l.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(l.ThrottlingBurstLimit).toBeGreaterThan(0);
    }
  });

  it.each([
    ['UNAUTHORIZED', '401'],
    ['MISSING_AUTHENTICATION_TOKEN', '404'],
  ])('answers %s with %s problem+json', (type, status) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: status,
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      }),
    });
  });

  it('puts the request id in every gateway problem’s instance, as the functions do with the correlation id', () => {
    const responses = Object.values(resources(template, 'AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) {
      const body = JSON.parse(String((response.Properties.ResponseTemplates as Json)['application/json']));
      expect(body.instance, String(response.Properties.ResponseType)).toBe(
        'urn:invoice-service:correlation:$context.requestId',
      );
    }
  });

  it('is behind a regional WAFv2 web ACL associated with the stage', () => {
    const [aclId] = only('AWS::WAFv2::WebACL');
    const [restApiId] = only('AWS::ApiGateway::RestApi');
    const [stageId] = only('AWS::ApiGateway::Stage');
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    const [, association] = only('AWS::WAFv2::WebACLAssociation');
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(flattenIntrinsics(association.Properties.ResourceArn)).toMatch(
      new RegExp(`:apigateway:.*::/restapis/\\$\\{Ref:${restApiId}\\}/stages/\\$\\{Ref:${stageId}\\}$`),
    );
  });

  it('limits writes per caller: a rate rule keyed on Authorization, scoped to writes, answering 429 RATE_LIMITED', () => {
    const [, acl] = only('AWS::WAFv2::WebACL');
    const rules = acl.Properties.Rules as Json[];
    const rule = rules.find((r) => r.Name === 'writes-per-caller');
    expect(rule, 'rule writes-per-caller').toBeDefined();
    const limit = Number(CDK_CONTEXT['invoice:writeRateLimit']);
    const window = Number(CDK_CONTEXT['invoice:writeRateWindowSeconds']);
    const none = [{ Priority: 0, Type: 'NONE' }];
    expect(rule!.Statement).toEqual({
      RateBasedStatement: {
        Limit: limit,
        EvaluationWindowSec: window,
        AggregateKeyType: 'CUSTOM_KEYS',
        CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: none } }],
        ScopeDownStatement: {
          OrStatement: {
            Statements: ['POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
              ByteMatchStatement: {
                FieldToMatch: { Method: {} },
                PositionalConstraint: 'EXACTLY',
                SearchString: method,
                TextTransformations: none,
              },
            })),
          },
        },
      },
    });
    // After the managed rules and the per-IP limit, which still see every request first.
    expect(rule!.Priority).toBeGreaterThan(
      Math.max(...rules.filter((r) => r !== rule).map((r) => Number(r.Priority))),
    );
    expect(rule!.Action).toEqual({
      Block: {
        CustomResponse: {
          ResponseCode: 429,
          CustomResponseBodyKey: 'rate-limited',
          ResponseHeaders: [{ Name: 'Retry-After', Value: String(window) }],
        },
      },
    });
    const body = (acl.Properties.CustomResponseBodies as Record<string, Json>)['rate-limited']!;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(String(body.Content))).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: `More than ${limit} write requests in ${window} seconds with this token; retry later.`,
      code: 'RATE_LIMITED',
    });
  });

  it.each([
    [{ 'invoice:writeRateLimit': 9 }, /writeRateLimit must be between 10/],
    [{ 'invoice:writeRateWindowSeconds': 30 }, /writeRateWindowSeconds must be one of 60,120,300,600/],
  ])('refuses a write rate setting AWS WAF does not take: %o', (context, message) => {
    const app = new App({ context: { ...CDK_CONTEXT, ...context } });
    expect(() => readSettings(app.node)).toThrow(message);
  });
});

describe('tax platform setting (docs/tax-platform.md)', () => {
  it('is the simulator by default, given only to the issuing function', () => {
    const withIt = Object.values(resources(template, 'AWS::Lambda::Function')).filter(
      (fn) => ((fn.Properties.Environment as Json | undefined)?.Variables as Json | undefined)?.TAX_PLATFORM,
    );
    expect(withIt.map((fn) => ((fn.Properties.Environment as Json).Variables as Json).TAX_PLATFORM)).toEqual([
      'simulator',
    ]);
  });

  it.each([
    ['simulator', 'simulator'],
    ['https://provider.example/v1', 'https://provider.example/v1'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
  ])('takes %s', (value, expected) => {
    const app = new App({ context: { ...CDK_CONTEXT, 'invoice:taxPlatform': value } });
    expect(readSettings(app.node).taxPlatform).toBe(expected);
  });

  it.each(['http://provider.example/v1', 'ftp://provider.example', 'provider'])('refuses %s', (value) => {
    const app = new App({ context: { ...CDK_CONTEXT, 'invoice:taxPlatform': value } });
    expect(() => readSettings(app.node)).toThrow(/invoice:taxPlatform must be "simulator" or the https URL/);
  });
});

describe('Cognito', () => {
  it('requires MFA, allows no self sign-up, and carries an immutable custom accountId', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'accountId', AttributeDataType: 'String', Mutable: false }),
      ]),
    });
  });

  it.each(['finance', 'billing-system', 'org-admin', 'tax-platform'])('has the group %s', (group) => {
    const [userPoolId] = only('AWS::Cognito::UserPool');
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: group,
      UserPoolId: { Ref: userPoolId },
    });
  });
});

describe('cdk-nag (AwsSolutions), wired as infra/app.ts does', () => {
  // In-process (vitest sets NODE_ENV=test) CDK runs validation plugins on synth, writes
  // validation-report.json into the assembly and throws if a plugin reports an
  // unacknowledged finding; under the CLI it prints the report and exits non-zero instead.
  it('infra/app.ts registers the same plugin and acknowledgements this suite replicates', () => {
    const source = readFileSync(new URL('../../infra/app.ts', import.meta.url), 'utf8');
    expect(source).toMatch(/Validations\.of\(app\)\.addPlugins\(new AwsSolutionsChecks\(app\)\)/);
    expect(source).toMatch(/acknowledgeNagFindings\(stack\)/);
  });

  describe('on the real stack', () => {
    let app: App;
    // app.synth() runs the plugins once and caches the assembly; later calls return it.
    const synth = () => app.synth();
    beforeAll(() => {
      ({ app } = buildApp({ nag: true }));
      return () => rmSync(app.outdir, { recursive: true, force: true });
    });

    it(
      'synthesizes with zero unacknowledged findings',
      () => {
        const assembly = synth();
        const report = readValidationReport(assembly);
        const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
        expect(nag, 'the AwsSolutions plugin ran').toBeDefined();
        expect(
          nag!.violations.map((v) => `${v.ruleName} @ ${v.violatingConstructs.map((c) => c.constructPath)}`),
        ).toEqual([]);
        expect(nag!.conclusion).toBe('success');
      },
      SYNTH_TIMEOUT,
    );

    it('acknowledges nothing that no longer occurs (each acknowledgement suppresses a finding)', () => {
      const report = readValidationReport(synth());
      const used = new Set(
        report.pluginReports.flatMap((r) => (r.suppressedViolations ?? []).map((s) => s.acknowledgedId)),
      );
      // Rule ids of cdk-nag in any namespace: a mis-namespaced id (e.g. unqualified, which CDK
      // files under Annotation::) suppresses nothing and shows up here.
      const acknowledged = acknowledgements(app)
        .map(([id]) => id)
        .filter((id) => /(^|::)AwsSolutions-/.test(id));
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.filter((id) => !used.has(id))).toEqual([]);
    });

    it('gives every acknowledgement a reason of at least 20 characters', () => {
      synth();
      const acknowledged = acknowledgements(app);
      expect(acknowledged.length).toBeGreaterThan(0);
      const weak = acknowledged.filter(
        ([, reason]) => typeof reason !== 'string' || reason.trim().length < 20,
      );
      expect(weak).toEqual([]);
    });
  });

  it(
    'fails synthesis when a resource breaks a rule (a bucket without TLS enforcement)',
    () => {
      const outdir = mkdtempSync(path.join(tmpdir(), 'nag-negative-'));
      try {
        const { app } = buildApp({
          nag: true,
          outdir,
          extend: (stack) =>
            new Bucket(stack, 'NonCompliant', {
              blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
              encryption: BucketEncryption.S3_MANAGED,
            }),
        });
        expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
        const nag = readValidationReport(outdir).pluginReports.find((r) => r.pluginName === 'AwsSolutions');
        expect(nag?.conclusion).toBe('failure');
        expect(nag?.violations).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              ruleName: 'AwsSolutions-S10',
              violatingConstructs: expect.arrayContaining([
                expect.objectContaining({
                  constructPath: expect.stringMatching(/^InvoiceService\/NonCompliant\//),
                }),
              ]),
            }),
          ]),
        );
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
    SYNTH_TIMEOUT,
  );
});

/** `[ruleId, reason]` for every Validations.acknowledge() anywhere in the app. */
function acknowledgements(app: App): [string, unknown][] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
}

describe('audit trail (issue 7): the table stream feeds one recorder', () => {
  const recorder = () => {
    const found = Object.entries(resources(template, 'AWS::Lambda::Function')).filter(
      ([id]) => id.startsWith('AuditRecordChanges') && !id.includes('Logs'),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  // The table-facts consumer (issue 16) is the stream's second reader; this is the recorder's mapping.
  const mapping = () => {
    const found = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes('AuditRecordChanges'),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const keysModule = async () => {
    vi.stubEnv('TABLE_NAME', 'audit-infra-test');
    return (await import('#adapters/dynamodb')).keys;
  };

  it('anchors chain heads in their own bucket: versioned, Object Lock in compliance mode, put by the recorder only', () => {
    const [recorderId, recorderFn] = recorder();
    const anchorsRef = ((recorderFn.Properties.Environment as Json).Variables as Json)
      .AUDIT_ANCHORS_BUCKET as { Ref: string };
    const anchors = resources(template, 'AWS::S3::Bucket')[anchorsRef.Ref]!;
    const years = Number(CDK_CONTEXT['invoice:auditAnchorRetentionYears']);
    expect(years).toBeGreaterThanOrEqual(1);
    expect(anchors.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 * years } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
    });
    // Not the documents bucket, and only the recorder may put into it
    const documentsRef = Object.values(resources(template, 'AWS::Lambda::Function'))
      .map((f) => ((f.Properties.Environment as Json).Variables as Json).DOCUMENTS_BUCKET as { Ref: string })
      .find(Boolean)!;
    expect(anchorsRef.Ref).not.toBe(documentsRef.Ref);
    const roleOf = (fn: CfnResource) => ((fn.Properties.Role as Json)['Fn::GetAtt'] as string[])[0]!;
    const putters = Object.values(iamPolicies(template))
      .filter((p) =>
        (p.Properties.PolicyDocument as { Statement: Json[] }).Statement.some(
          (st) =>
            st.Effect === 'Allow' &&
            [st.Action].flat().some((a) => String(a).startsWith('s3:Put')) &&
            JSON.stringify(st.Resource).includes(anchorsRef.Ref),
        ),
      )
      .flatMap((p) => (p.Properties.Roles as Json[]).map((r) => r.Ref));
    expect(putters).toEqual([roleOf(recorderFn)]);
    expect(recorderId).toBeDefined();
  });

  it('reads the stream from the oldest record in batches of 100, bisecting, reporting item failures, never skipping', () => {
    const [tableId] = only('AWS::DynamoDB::Table');
    const [recorderId] = recorder();
    const [queueId, queue] = only('AWS::SQS::Queue');
    expect(mapping().Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      FunctionName: { Ref: recorderId },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: -1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    expect(only('AWS::DynamoDB::Table')[1].Properties.StreamSpecification).toEqual({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('lets exactly application, invoice, title, return and copy-request items through, as the key builders lay them out', async () => {
    const keys = await keysModule();
    const patterns = (
      (mapping().Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters ?? []
    ).map((f) => JSON.parse(f.Pattern) as Record<string, unknown>);
    const passes = (key: { pk: string; sk: string }) =>
      patterns.some((p) =>
        matchesPattern(p, {
          eventName: 'MODIFY',
          dynamodb: { Keys: { pk: { S: key.pk }, sk: { S: key.sk } } },
        }),
      );
    expect(patterns).toHaveLength(4);
    for (const key of [
      keys.application('a1'),
      keys.invoice('i1'),
      keys.title('acct-1', 'ttl_1'),
      keys.invoiceReturn('r1'),
      keys.copyRequest('i1'),
    ]) {
      expect(passes(key), JSON.stringify(key)).toBe(true);
    }
    for (const key of [
      keys.account('acct-1'),
      keys.record('acct-1', 'r1'),
      keys.idempotency('acct-1', 'k'),
      keys.invoiceCounter('cn-bj-01'),
      keys.auditEntry('application', 'a1', 1),
      keys.auditHead('title', 'ttl_1'),
    ]) {
      expect(passes(key), JSON.stringify(key)).toBe(false);
    }
    expect(keys.auditTrail('invoice', 'i1').startsWith(AUDITED_KEYS.auditPrefix)).toBe(true);
  });

  it('denies every function but the recorder writes to audit items, and lets the recorder write', () => {
    const [recorderId, recorderFn] = recorder();
    const roleOf = (fn: CfnResource) => ((fn.Properties.Role as Json)['Fn::GetAtt'] as string[])[0]!;
    // Statements in policies attached to the role, and in the role's own inline policies.
    const statementsOf = (roleId: string) =>
      Object.values(iamPolicies(template))
        .filter((p) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const isFence = (s: Json) =>
      s.Effect === 'Deny' &&
      JSON.stringify(s.Condition) ===
        JSON.stringify({
          'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDITED_KEYS.auditPrefix}*`] },
        });
    const others = Object.entries(resources(template, 'AWS::Lambda::Function')).filter(
      ([id]) => id !== recorderId,
    );
    expect(others.length).toBeGreaterThan(5);
    for (const [id, fn] of others) {
      const fence = statementsOf(roleOf(fn)).find(isFence);
      expect(fence, `${id} is fenced off audit items`).toBeDefined();
      expect(fence!.Action).toEqual(
        expect.arrayContaining([
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ]),
      );
    }
    const own = statementsOf(roleOf(recorderFn));
    expect(own.some(isFence)).toBe(false);
    expect(
      own.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('dynamodb:PutItem')),
    ).toBe(true);
  });
});
