import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { OAuthScope, type UserPool } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy, HSTS_SECONDS } from '../console-policy.ts';

export interface ConsoleProps {
  restApi: RestApi;
  userPool: UserPool;
  stage: string;
  /** Keep the bucket when the stack goes (prod). */
  retain: boolean;
  /** Where the bucket's server access logs and CloudFront's access logs go (the stack's log bucket). */
  accessLogs: Bucket;
}

/**
 * The web console on the API's own origin: CloudFront serves web/dist from a private bucket
 * (origin access control; nothing public) and forwards /v1/* to API Gateway uncached, so the
 * browser never makes a cross-origin call and the API needs no CORS. Every answer carries the
 * security headers of one response headers policy. Sign-in is Cognito's managed login with the
 * authorization code flow and PKCE (a public client, no secret).
 *
 * The files (and console-config.json, naming the Cognito domain and client) are uploaded after
 * `cdk deploy` by `npm run console:publish`, from the stack's outputs.
 */
export class Console extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const domain = props.userPool.addDomain('LoginDomain', {
      cognitoDomain: { domainPrefix: `invoice-console-${props.stage}-${Aws.ACCOUNT_ID}` },
    });
    const cognitoOrigin = `https://${domain.domainName}.auth.${region}.amazoncognito.com`;

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Console and API: CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(cognitoOrigin),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });

    // The single-page app routes itself: a page path (no file extension) is index.html. Only the
    // bucket's behaviour runs this, so /v1 answers (404s included) reach the browser unchanged.
    const spaRoutes = new EdgeFunction(this, 'PageRoutes', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Console page paths to /index.html',
      code: FunctionCode.fromInline(
        'function handler(event) { var r = event.request; if (r.uri.indexOf(".") === -1) { r.uri = "/index.html"; } return r; }',
      ),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Invoice console and API (${props.stage})`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'console-cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: spaRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new RestApiOrigin(props.restApi),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Everything the browser sent (the bearer token, Idempotency-Key) except Host.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'The distribution uses its default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; a custom domain and certificate would set TLSv1.2_2021.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          'Customers and finance staff sign in from anywhere; access is decided by Cognito, not by country.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR2',
        reason:
          'The API behind /v1 is protected by the regional web ACL on its stage (managed rules, per-IP and per-caller limits); the bucket serves only the static console.',
      },
    );

    const consoleUrl = `https://${this.distribution.distributionDomainName}`;
    const client = props.userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [`${consoleUrl}/callback`],
        logoutUrls: [`${consoleUrl}/sign-in`],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });

    new CfnOutput(scope, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(scope, 'ConsoleBucket', { value: this.bucket.bucketName });
    new CfnOutput(scope, 'ConsoleClientId', { value: client.userPoolClientId });
    new CfnOutput(scope, 'ConsoleLoginDomain', {
      value: `${domain.domainName}.auth.${region}.amazoncognito.com`,
    });
  }
}
