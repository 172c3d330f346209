import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TitleIdPath } from '#schemas/titles';
import { ServiceFunction } from '../../infra/constructs/function-defaults.ts';
import { ENVIRONMENT_OF, SETTINGS } from '../../infra/environment.ts';
import { InvoiceServiceStack } from '../../infra/invoice-service-stack.ts';
import { API_FUNCTIONS, type ApiFunction } from '../../infra/routes.ts';
import { readSettings } from '../../infra/settings.ts';
import { bundleSizesOf, environmentNamesOf } from './bundle-environment.ts';
import {
  apiMethods,
  CDK_CONTEXT,
  type CfnResource,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  resources,
} from './helpers.ts';

/** Issue 10: the stack stays well under CloudFormation's 500 resources, with room to grow. */
const RESOURCE_BUDGET = 300;
/**
 * Issue 10: each bundle's budget in KB, minified with the AWS SDK inside; the one function that
 * renders PDFs (the only one shipped with the font) gets more. Init times are a benchmark
 * (`npm run bench -- bundles`), not a test; sizes are deterministic.
 */
const BUNDLE_KB = 300;
const PDF_BUNDLE_KB = 500;
/** Set by ServiceFunction for every function: read by the Node runtime and the logger, not by our code. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME'];

interface Synth {
  template: Template;
  /** Logical id → the function's construct. */
  functions: Map<string, ServiceFunction>;
  count: number;
  types: Record<string, number>;
}

/** The stack as test/infra/helpers.ts builds it (no bundling), with these API functions. */
function synth(apiFunctions?: readonly ApiFunction[]): Synth {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new InvoiceServiceStack(app, 'InvoiceService', {
    settings: readSettings(app.node),
    ...(apiFunctions ? { apiFunctions } : {}),
  });
  try {
    const template = Template.fromStack(stack);
    const all = Object.values(template.toJSON().Resources as Record<string, CfnResource>);
    const types: Record<string, number> = {};
    for (const r of all) types[r.Type] = (types[r.Type] ?? 0) + 1;
    const functions = new Map<string, ServiceFunction>();
    for (const c of stack.node.findAll())
      if (c instanceof ServiceFunction) functions.set(stack.getLogicalId(c.node.defaultChild as never), c);
    return { template, functions, count: all.length, types };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

let base: Synth;
beforeAll(() => {
  base = synth();
}, 60_000);

/** The logical id of the API function named `Api<name>`. */
const apiFunctionId = (s: Synth, name: string) => {
  const ids = [...s.functions].filter(([, fn]) => fn.node.id === `Api${name}`).map(([id]) => id);
  expect(ids, `Api${name}`).toHaveLength(1);
  return ids[0]!;
};

/** The function an API method integrates with (the GetAtt in its Lambda proxy URI). */
const integratedFunction = (properties: Json) =>
  /\$\{GetAtt:(\w+)\.Arn\}/.exec(flattenIntrinsics((properties.Integration as Json).Uri))?.[1];

describe('issue 10: one function per bounded context', () => {
  it(`keeps the stack at ${RESOURCE_BUDGET} resources or fewer`, () => {
    expect(base.count).toBeLessThanOrEqual(RESOURCE_BUDGET);
  });

  it('builds one function per API function of the route table, and every method goes to the function that serves it', () => {
    const apiFns = [...base.functions.values()].filter((fn) => fn.node.id.startsWith('Api'));
    expect(apiFns.map((fn) => fn.node.id).sort()).toEqual(API_FUNCTIONS.map((f) => `Api${f.name}`).sort());
    const methods = apiMethods(base.template);
    for (const spec of API_FUNCTIONS) {
      const fnId = apiFunctionId(base, spec.name);
      expect(base.functions.get(fnId)!.entry).toBe(spec.entry);
      for (const route of Object.values(spec.routes)) {
        const method = methods.find((m) => m.route === `${route.method} ${route.path}`);
        expect(method, `${route.method} ${route.path}`).toBeDefined();
        expect(integratedFunction(method!.properties), `${route.method} ${route.path}`).toBe(fnId);
      }
    }
  });

  it('gives each API function one Lambda permission, for any method of this API', () => {
    const [restApiId] = Object.keys(resources(base.template, 'AWS::ApiGateway::RestApi'));
    const permissions = Object.values(resources(base.template, 'AWS::Lambda::Permission'));
    for (const spec of API_FUNCTIONS) {
      const fnId = apiFunctionId(base, spec.name);
      const own = permissions.filter(
        (p) =>
          JSON.stringify(p.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }) &&
          p.Properties.Principal === 'apigateway.amazonaws.com',
      );
      expect(own, spec.name).toHaveLength(1);
      expect(own[0]!.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
      expect(flattenIntrinsics(own[0]!.Properties.SourceArn)).toMatch(
        new RegExp(`:execute-api:.*:\\$\\{Ref:${restApiId}\\}/\\*/\\*/\\*$`),
      );
    }
    // Besides the API's: the rules that route SES bounces to the mail-feedback function, and
    // domain events and the retry schedule to the webhooks function (one permission for both).
    const others = permissions.filter((p) => p.Properties.Principal !== 'apigateway.amazonaws.com');
    expect(others.map((p) => p.Properties.Principal)).toEqual([
      'events.amazonaws.com',
      'events.amazonaws.com',
    ]);
    expect(permissions).toHaveLength(API_FUNCTIONS.length + 2);
  });

  describe('adding a route to an existing function', () => {
    const withRoute = (route: ApiFunction['routes'][string]): Synth =>
      synth(
        API_FUNCTIONS.map((fn) =>
          fn.name === 'TitlesRead' ? { ...fn, routes: { ...fn.routes, extra: route } } : fn,
        ),
      );
    const added = (extended: Synth) =>
      Object.fromEntries(
        Object.entries(extended.types)
          .map(([type, n]) => [type, n - (base.types[type] ?? 0)] as const)
          .filter(([, n]) => n !== 0),
      );
    const route = {
      method: 'GET',
      uses: ['table-read'],
      summary: 'A route the test adds',
      ok: { status: 200 },
      errors: [],
    } as const;

    it('one segment below an existing path adds 2 resources: its API resource and its method', () => {
      const extended = withRoute({ ...route, path: '/v1/titles/{titleId}/history', pathParams: TitleIdPath });
      expect(extended.count - base.count).toBeLessThanOrEqual(2);
      expect(added(extended)).toEqual({ 'AWS::ApiGateway::Resource': 1, 'AWS::ApiGateway::Method': 1 });
      const method = apiMethods(extended.template).find(
        (m) => m.route === 'GET /v1/titles/{titleId}/history',
      );
      expect(integratedFunction(method!.properties)).toBe(apiFunctionId(extended, 'TitlesRead'));
    }, 60_000);

    it('on an existing path adds its method only', () => {
      const extended = withRoute({ ...route, method: 'DELETE', path: '/v1/addresses' });
      expect(extended.count - base.count).toBe(1);
      expect(added(extended)).toEqual({ 'AWS::ApiGateway::Method': 1 });
    }, 60_000);
  });
});

describe('issue 10: each function gets only what it needs', () => {
  it('gets exactly the environment variables its bundle reads', async () => {
    const entries = [...new Set([...base.functions.values()].map((fn) => fn.entry))];
    expect(entries.sort()).toEqual(Object.keys(ENVIRONMENT_OF).sort());
    const reads = await environmentNamesOf(entries, SETTINGS);
    for (const [id, fn] of base.functions) {
      const variables = (
        resources(base.template, 'AWS::Lambda::Function')[id]!.Properties.Environment as Json
      ).Variables as Json;
      const given = Object.keys(variables).filter((name) => !RUNTIME_VARIABLES.includes(name));
      expect(given.sort(), `${id} (${fn.entry})`).toEqual([...reads.get(fn.entry)!].sort());
    }
  }, 60_000);

  it('keeps every bundle within its budget: 300 KB, 500 KB for the one PDF-rendering function', async () => {
    const entries = [...new Set([...base.functions.values()].map((fn) => fn.entry))];
    const sizes = await bundleSizesOf(entries);
    const rendering = [...base.functions].filter(([, fn]) => fn.withFont).map(([id]) => id);
    expect(rendering).toEqual([expect.stringMatching(/^IssueInvoices/)]);
    for (const [id, fn] of base.functions) {
      const kb = sizes.get(fn.entry)! / 1024;
      expect(kb, `${id} (${fn.entry}): ${kb.toFixed(1)} KB`).toBeLessThanOrEqual(
        fn.withFont ? PDF_BUNDLE_KB : BUNDLE_KB,
      );
    }
  }, 120_000);

  // What each function may do, written out: table, documents, mail, and state machines
  // (start/stop/signal and which machine). X-Ray, KMS for the table and logs are everyone's.
  const GRANTS: Record<
    string,
    {
      /** Absent: no table grant. */
      table?: 'read' | 'write';
      /** events:PutEvents on the domain events' bus. */
      events?: true;
      documents?: 'read' | 'write';
      anchors?: 'read' | 'write';
      mail?: true;
      states?: string[];
    }
  > = {
    ApiLedger: { table: 'write' },
    ApiTitlesRead: { table: 'read' },
    ApiTitlesWrite: { table: 'write' },
    ApiApplicationsRead: { table: 'read' },
    ApiApplicationsWrite: { table: 'write', mail: true, states: ['start applications', 'stop applications'] },
    ApiInvoicesRead: { table: 'read', documents: 'read' },
    ApiInvoicesWrite: { table: 'write' },
    ApiReturns: { table: 'write', mail: true, states: ['signal returns', 'start returns'] },
    ApiAdmin: { table: 'write', mail: true, states: ['signal applications'] },
    ApiAudit: { table: 'read', anchors: 'read' },
    ApiMonthly: { table: 'write' },
    ApiOrganizations: { table: 'write', states: ['start applications'] },
    // Also the webhook dispatcher: the delivery log in the table, the disabled-endpoint e-mail.
    ApiWebhooks: { table: 'write', mail: true },
    ReviewApplication: { table: 'write' },
    RequestReview: { table: 'write', states: ['signal applications'] },
    IssueInvoices: { table: 'write', documents: 'write', states: ['signal applications'] },
    DeliverInvoices: { table: 'write', documents: 'read', mail: true },
    FailApplication: { table: 'write', mail: true },
    StartPending: { table: 'write', states: ['start applications', 'start returns'] },
    RecordChanges: { table: 'write', anchors: 'write' },
    // Writes only the event markers (dynamodb:LeadingKeys EVENT#, test/infra/operations.test.ts).
    TableFacts: { table: 'write', events: true },
    FeedbackFunction: { table: 'write' },
    WatchApplications: { table: 'write', mail: true },
    StartRunFunction: { table: 'write' },
    ProcessShardFunction: { table: 'write', states: ['start applications'] },
    SummarizeRunFunction: { table: 'write' },
    StepFunction: {
      table: 'write',
      documents: 'write',
      mail: true,
      states: ['signal returns', 'start applications'],
    },
  };

  it('has exactly the grants written out here, function by function', () => {
    const policies = Object.values(iamPolicies(base.template));
    const seen: string[] = [];
    for (const [id, fn] of base.functions) {
      const props = resources(base.template, 'AWS::Lambda::Function')[id]!.Properties;
      const roleId = (props.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      // Statements in policies attached to the role, and in the role's own inline policies.
      const allowed = policies
        .filter((p) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => [s.Action as string | string[]].flat().map((action) => ({ action, s })));
      const actions = allowed.map((a) => a.action);
      const machine = (s: Json) =>
        /:stateMachine:invoice-(\w+)-|:execution:invoice-(\w+)-/
          .exec(flattenIntrinsics(s.Resource))!
          .slice(1)
          .find(Boolean);
      const states = [
        ...new Set(
          allowed
            .filter(({ action }) => /^states:(StartExecution|StopExecution|SendTaskSuccess)$/.test(action))
            .map(({ action, s }) => {
              const verb =
                { 'states:StartExecution': 'start', 'states:StopExecution': 'stop' }[action] ?? 'signal';
              return `${verb} ${machine(s)}`;
            }),
        ),
      ].sort();
      // S3 by bucket (the bucket's logical id in the statement's resource).
      const s3Grant = (name: string, bucket: string) => {
        const on = allowed
          .filter(({ action, s }) => action.startsWith('s3:') && JSON.stringify(s.Resource).includes(bucket))
          .map(({ action }) => action);
        if (on.includes('s3:PutObject')) return { [name]: 'write' };
        return on.some((a) => a.startsWith('s3:GetObject')) ? { [name]: 'read' } : {};
      };
      const actual = {
        table: actions.includes('dynamodb:PutItem')
          ? 'write'
          : actions.includes('dynamodb:Query')
            ? 'read'
            : undefined,
        ...s3Grant('documents', 'DocumentsBucket'),
        ...s3Grant('anchors', 'AuditAnchors'),
        ...(actions.includes('ses:SendEmail') ? { mail: true } : {}),
        ...(actions.includes('events:PutEvents') ? { events: true } : {}),
        ...(states.length ? { states } : {}),
      };
      expect(GRANTS[fn.node.id], `${fn.node.id} is written out`).toBeDefined();
      expect(actual, `${id} (${fn.entry})`).toEqual(GRANTS[fn.node.id]);
      seen.push(fn.node.id);
    }
    expect(seen.sort()).toEqual(Object.keys(GRANTS).sort());
  });
});
