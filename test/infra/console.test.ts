import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { consoleConfig } from '../../scripts/console-publish.ts';
import { LOCAL_SIGN_IN_PATH } from '../../scripts/local/api-gateway.ts';
import { sharedTemplate } from '../support/infra-template.ts';

let template: Template;
beforeAll(() => {
  template = sharedTemplate();
});

const resourcesOf = (type: string) => Object.entries(template.findResources(type));

describe('the console (infra/constructs/console.ts)', () => {
  it('keeps its files in a private bucket that only CloudFront reads, through origin access control', () => {
    const consoleBuckets = resourcesOf('AWS::S3::Bucket').filter(([id]) => id.startsWith('ConsoleBucket'));
    expect(consoleBuckets).toHaveLength(1);
    const [bucketId, bucket] = consoleBuckets[0]!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    const policy = resourcesOf('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId);
    const statements = policy![1].Properties.PolicyDocument.Statement as Record<string, any>[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]!.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0]!.Action).toBe('s3:GetObject');
    expect(allows[0]!.Condition.StringEquals['AWS:SourceArn']).toBeDefined();
  });

  it('serves the bucket by default and forwards /v1/* to the API uncached, with every viewer header but Host', () => {
    const [, distribution] = resourcesOf('AWS::CloudFront::Distribution')[0]!;
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const origins = config.Origins as Record<string, any>[];
    const s3 = origins.find((o) => o.S3OriginConfig !== undefined)!;
    const api = origins.find((o) => o.CustomOriginConfig !== undefined)!;
    expect(s3.OriginAccessControlId).toBeDefined();
    expect(JSON.stringify(api.DomainName)).toContain('execute-api');
    expect(JSON.stringify(api.OriginPath)).toContain('ApiRestApiDeploymentStage');
    const [apiBehavior] = config.CacheBehaviors as Record<string, any>[];
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(apiBehavior!.PathPattern).toBe('/v1/*');
    expect(apiBehavior!.TargetOriginId).toBe(api.Id);
    expect(apiBehavior!.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(apiBehavior!.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(apiBehavior!.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    // The page-path rewrite runs on the bucket's behaviour only: API 404s stay problem+json.
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    expect(apiBehavior!.FunctionAssociations).toBeUndefined();
    // No distribution-wide error pages: they would turn the API's 403 and 404 into index.html.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('adds CSP (frame-ancestors none), HSTS and DENY framing to every answer, console and API', () => {
    const [policyId, policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const security = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('amazoncognito.com');
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    const [, distribution] = resourcesOf('AWS::CloudFront::Distribution')[0]!;
    const config = distribution.Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    }
  });

  it('signs in with Cognito managed login: authorization code only, a public client, callback on the console', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const web = resourcesOf('AWS::Cognito::UserPoolClient').filter(([id]) => id.includes('WebClient'));
    expect(web).toHaveLength(1);
    const client = web[0]![1].Properties;
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.GenerateSecret).toBe(false);
    expect(JSON.stringify(client.CallbackURLs)).toContain('/callback');
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid']));
    // The console's published configuration redirects exactly where the client allows.
    const config = consoleConfig({
      ConsoleUrl: 'https://d111.cloudfront.net',
      ConsoleBucket: 'bucket',
      ConsoleClientId: 'client',
      ConsoleLoginDomain: 'login.example',
    });
    expect(JSON.stringify(client.CallbackURLs)).toContain(
      `"${config.redirectUri.replace('https://d111.cloudfront.net', '')}"`,
    );
    expect(JSON.stringify(client.LogoutURLs)).toContain(
      `"${config.logoutUri.replace('https://d111.cloudfront.net', '')}"`,
    );
  });

  it('has no CORS anywhere: the API has no OPTIONS methods, the distribution no CORS headers', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS')).toEqual([]);
    const [, policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    expect(policy.Properties.ResponseHeadersPolicyConfig.CorsConfig).toBeUndefined();
  });

  it('has no local sign-in endpoint: the deployed template knows no path or resource of it', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain(LOCAL_SIGN_IN_PATH);
    const parts = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
      (r) => r.Properties.PathPart,
    );
    expect(parts).not.toContain('local');
    expect(parts).not.toContain('sign-in');
    // And the console's local sign-in is wired only by the local stack.
    const stack = readFileSync(new URL('../../infra/invoice-service-stack.ts', import.meta.url), 'utf8');
    expect(stack).not.toMatch(/localSignIn|local\/sign-in/);
  });
});
