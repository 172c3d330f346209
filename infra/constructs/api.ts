import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { AccountRecovery, CfnUserPoolGroup, Mfa, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiRoute {
  method: string;
  path: string;
  fn: IFunction;
}

export interface ApiProps {
  routes: ApiRoute[];
  /** The stage name; a custom domain maps it to the root so paths start at /v1 as in API.md. */
  stageName: string;
  /** Steady-state and burst limits per stage. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Writes one caller (bearer token) may send per window before the firewall answers 429. */
  writeRateLimit: { limit: number; windowSeconds: number };
}

/** The methods that change something: the per-caller rate limit counts only these. */
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

const GROUPS = ['finance', 'billing-system', 'org-admin', 'tax-platform'];

/**
 * The public REST API: Cognito user-pool authorizer on every method (the account comes from
 * the token's custom:accountId), request validation, access logs, throttling, and gateway
 * errors in the same problem+json shape the handlers use. No CORS: the web console is served
 * from the API's own origin, so browsers send no preflight and the API has no OPTIONS methods.
 */
export class Api extends Construct {
  readonly restApi: RestApi;
  readonly userPool: UserPool;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      customAttributes: { accountId: new StringAttribute({ mutable: false, minLen: 1, maxLen: 128 }) },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of GROUPS) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
      });
    }
    this.userPool.addClient('ConsoleClient', {
      authFlows: { userSrp: true },
      idTokenValidity: Duration.hours(1),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: 'invoice-service',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // PDFs go out as bytes. JSON comes in as bytes: the Lambda gets the body base64-encoded and
      // decodes it strictly, so a body that is not UTF-8 is refused rather than mangled into
      // U+FFFD (shared/http/handler.ts). JSON responses are unaffected: they are not base64.
      // No method has a request model, so request validation checks parameters only.
      binaryMediaTypes: ['application/pdf', 'application/json'],
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
    });
    const problem = (status: string, code: string, title: string) => ({
      statusCode: status,
      responseHeaders: { 'Content-Type': "'application/problem+json'" },
      templates: {
        'application/json': JSON.stringify({
          type: 'about:blank',
          title,
          status: Number(status),
          detail: title,
          code,
          // The request id, as the functions' problems carry their correlation id (docs/API.md).
          instance: 'urn:invoice-service:correlation:$context.requestId',
        }),
      },
    });
    this.restApi.addGatewayResponse('Unauthorized', {
      type: ResponseType.UNAUTHORIZED,
      ...problem('401', 'UNAUTHENTICATED', 'Authentication required'),
    });
    this.restApi.addGatewayResponse('BadBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      ...problem('400', 'VALIDATION_FAILED', 'The request is not valid'),
    });
    // API Gateway answers an unknown path with 403 "Missing Authentication Token"; the contract says 404.
    this.restApi.addGatewayResponse('UnknownPath', {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      ...problem('404', 'NOT_FOUND', 'Not found'),
    });
    this.restApi.addGatewayResponse('AccessDenied', {
      type: ResponseType.ACCESS_DENIED,
      ...problem('403', 'FORBIDDEN', 'Not allowed'),
    });
    this.restApi.addGatewayResponse('Default5xx', {
      type: ResponseType.DEFAULT_5XX,
      ...problem('502', 'INTERNAL', 'Internal error'),
    });

    this.addFirewall(props.writeRateLimit);

    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
    });
    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // One integration and one Lambda permission per function, not per method: the permission
    // lets this API invoke the function from any of its methods (execute-api ARN with
    // wildcards), so a route added to a function adds its method and nothing else.
    const integrations = new Map<IFunction, LambdaIntegration>();
    for (const route of props.routes) {
      const resource = route.path
        .split('/')
        .filter(Boolean)
        .reduce<IResource>(
          (parent, part) => parent.getResource(part) ?? parent.addResource(part),
          this.restApi.root,
        );
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new LambdaIntegration(route.fn, { scopePermissionToMethod: false });
        integrations.set(route.fn, integration);
      }
      resource.addMethod(route.method, integration, {
        authorizer,
        requestValidator: validator,
        requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
      });
    }
  }

  /**
   * AWS managed common rules, a per-IP rate limit, and a per-caller limit on writes in front of
   * the stage. The caller is the Authorization header (WAF cannot read the token's claims; a
   * request without one is not counted and gets 401 anyway). Past the limit the firewall answers
   * 429 `RATE_LIMITED` in the problem+json shape with Retry-After (WAF sets the Content-Type of a
   * custom response itself: application/json). The local gateway enforces this rule as read from
   * the template (scripts/local/template.ts).
   */
  private addFirewall(writes: { limit: number; windowSeconds: number }): void {
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: name,
      sampledRequestsEnabled: true,
    });
    const acl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('invoice-api'),
      customResponseBodies: {
        'rate-limited': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'about:blank',
            title: 'Too Many Requests',
            status: 429,
            detail: `More than ${writes.limit} write requests in ${writes.windowSeconds} seconds with this token; retry later.`,
            code: 'RATE_LIMITED',
          }),
        },
      },
      rules: [
        {
          name: 'common',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' },
          },
          visibilityConfig: visibility('invoice-api-common'),
        },
        {
          name: 'rate-per-ip',
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 3000, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('invoice-api-rate'),
        },
        {
          name: 'writes-per-caller',
          priority: 2,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'rate-limited',
                responseHeaders: [{ name: 'Retry-After', value: String(writes.windowSeconds) }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: writes.limit,
              evaluationWindowSec: writes.windowSeconds,
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [
                { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
              ],
              scopeDownStatement: {
                orStatement: {
                  statements: WRITE_METHODS.map((method) => ({
                    byteMatchStatement: {
                      fieldToMatch: { method: {} },
                      positionalConstraint: 'EXACTLY',
                      searchString: method,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  })),
                },
              },
            },
          },
          visibilityConfig: visibility('invoice-api-writes-per-caller'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
  }
}
