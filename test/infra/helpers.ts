import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvoiceServiceStack } from '../../infra/invoice-service-stack.ts';
import { acknowledgeNagFindings } from '../../infra/nag-acknowledgements.ts';
import { readSettings } from '../../infra/settings.ts';

/** The `context` block of cdk.json, so the tests synthesize with the real settings. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

export interface BuildOptions {
  /** Register cdk-nag and the project's acknowledgements, as infra/app.ts does. */
  nag?: boolean;
  /**
   * Run esbuild for every function (~10 s). Off by default: the context key
   * `aws:cdk:bundling-stacks: []` makes CDK use a placeholder asset instead, which changes
   * nothing but the functions' Code (S3Key); no assertion here looks at bundle contents.
   */
  bundle?: boolean;
  /** Where the cloud assembly (and validation-report.json) goes; a temp dir by default. */
  outdir?: string;
  /** Adds constructs to the stack before the nag plugin is registered (negative tests). */
  extend?: (stack: InvoiceServiceStack) => void;
}

/** Builds the app the way infra/app.ts does (that file runs on import, so it can't be reused). */
export function buildApp(options: BuildOptions = {}): { app: App; stack: InvoiceServiceStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...CDK_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new InvoiceServiceStack(app, 'InvoiceService', {
    settings: readSettings(app.node),
    description: 'VAT invoice (fapiao) application service',
  });
  options.extend?.(stack);
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack);
  }
  return { app, stack };
}

export type Json = Record<string, unknown>;

export interface CfnResource {
  Type: string;
  Properties: Json;
}

export function resources(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/**
 * Every IAM policy of the template: AWS::IAM::Policy resources and the roles' own inline policies
 * (functions keep their grants inline, infra/constructs/function-defaults.ts), the latter in the
 * same shape (`Roles: [{Ref: role}]`, `PolicyDocument`) under the id `<role>/<policy name>`.
 */
export function iamPolicies(template: Template): Record<string, CfnResource> {
  const all: Record<string, CfnResource> = { ...resources(template, 'AWS::IAM::Policy') };
  for (const [roleId, role] of Object.entries(resources(template, 'AWS::IAM::Role'))) {
    const inline = (role.Properties.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[];
    for (const policy of inline)
      all[`${roleId}/${policy.PolicyName}`] = {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: roleId }],
          PolicyDocument: policy.PolicyDocument,
          PolicyName: policy.PolicyName,
        },
      } as CfnResource;
  }
  return all;
}

/**
 * Flattens `Fn::Join` (and bare strings) into one string, replacing each intrinsic with a
 * placeholder that is safe inside a JSON string literal: `${Ref:Id}`, `${GetAtt:Id.Attr}`.
 */
export function flattenIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Json;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(flattenIntrinsics).join(separator);
  }
  if ('Ref' in object) return `\${Ref:${object.Ref}}`;
  if ('Fn::GetAtt' in object) return `\${GetAtt:${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  return `\${${Object.keys(object).join(',')}}`;
}

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Resource?: string;
  TimeoutSeconds?: number;
  TimestampPath?: string;
  [key: string]: unknown;
}

export interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
  QueryLanguage?: string;
}

/** The state machine's definition as ASL, intrinsics replaced by placeholders. */
export function definitionOf(stateMachine: CfnResource): Asl {
  return JSON.parse(flattenIntrinsics(stateMachine.Properties.DefinitionString)) as Asl;
}

/** Every `path: key` in a JSON value, for "this key must not appear anywhere" checks. */
export function keyPaths(value: unknown, at = '$'): { path: string; key: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    { path: `${at}.${key}`, key, value: child },
    ...keyPaths(child, `${at}.${key}`),
  ]);
}

/** States a state can move to without an error (Next, Choice branches, Default). */
export function successors(state: AslState): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Choices ?? []).map((choice) => choice.Next),
    ...(state.Default ? [state.Default] : []),
  ];
}

/** `METHOD /path` of every API Gateway method, the path rebuilt from the Resource tree. */
export function apiMethods(template: Template): { route: string; id: string; properties: Json }[] {
  const tree = resources(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const parent = ref as Json;
    if ('Fn::GetAtt' in parent) return ''; // the RestApi's RootResourceId
    const resource = tree[parent.Ref as string];
    if (!resource) throw new Error(`Unknown API resource ${JSON.stringify(ref)}`);
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return Object.entries(resources(template, 'AWS::ApiGateway::Method')).map(([id, method]) => ({
    route: `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId) || '/'}`,
    id,
    properties: method.Properties,
  }));
}

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: { ruleName: string; severity?: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; acknowledgedId: string; reason: string }[];
  }[];
}

/** What CDK's Validations wrote next to the templates (also when synthesis threw). */
export function readValidationReport(directory: string | CloudAssembly): ValidationReport {
  const dir = typeof directory === 'string' ? directory : directory.directory;
  return JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8')) as ValidationReport;
}
