import { createHash } from 'node:crypto';
import { type AwsService, awsClient, s3Location } from '#adapters/aws-request';

/**
 * The three services the functions call besides DynamoDB, each through one shared client per
 * function (one retry quota per service, as one SDK client per service had).
 */
export const STEP_FUNCTIONS: AwsService = { signingName: 'states', endpointId: 'SFN', hostPrefix: 'states' };
export const SESV2: AwsService = { signingName: 'ses', endpointId: 'SESV2', hostPrefix: 'email' };
export const S3: AwsService = { signingName: 's3', endpointId: 'S3', hostPrefix: 's3', s3: true };

const sfn = awsClient(STEP_FUNCTIONS);
const ses = awsClient(SESV2);
const s3 = awsClient(S3);

/** One Step Functions action (AWS JSON 1.0): `StartExecution`, `SendTaskSuccess`, … */
export async function stepFunctions(action: string, input: object): Promise<Record<string, unknown>> {
  const { body } = await sfn({
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AWSStepFunctions.${action}`,
    },
    body: JSON.stringify(input),
  });
  return body.byteLength === 0
    ? {}
    : (JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>);
}

/** SESv2 SendEmail of a raw MIME message; its message id. */
export async function sendRawEmail(input: {
  from: string;
  to: string[];
  configurationSet?: string;
  raw: Uint8Array;
  /** SES message tags (issue 14: the account and item a bounce is marked on). */
  tags?: { Name: string; Value: string }[];
}): Promise<string> {
  const { body } = await ses({
    method: 'POST',
    path: '/v2/email/outbound-emails',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      FromEmailAddress: input.from,
      Destination: { ToAddresses: input.to },
      ...(input.configurationSet ? { ConfigurationSetName: input.configurationSet } : {}),
      Content: { Raw: { Data: Buffer.from(input.raw).toString('base64') } },
      ...(input.tags?.length ? { EmailTags: input.tags } : {}),
    }),
  });
  const answer = JSON.parse(Buffer.from(body).toString('utf8') || '{}') as { MessageId?: string };
  return answer.MessageId ?? '';
}

/**
 * S3 PutObject. Content-MD5 goes along: S3 requires an integrity header on every upload to a
 * bucket with Object Lock retention (ours), and checks the body against it.
 */
export async function putObject(input: {
  bucket: string;
  key: string;
  body: Uint8Array | string;
  contentType: string;
  ifNoneMatch?: '*';
}): Promise<void> {
  const { hostPrefix, path } = s3Location(S3, input.bucket, input.key);
  await s3({
    method: 'PUT',
    path,
    hostPrefix,
    query: { 'x-id': 'PutObject' },
    headers: {
      'content-type': input.contentType,
      'content-md5': createHash('md5').update(input.body).digest('base64'),
      ...(input.ifNoneMatch ? { 'if-none-match': input.ifNoneMatch } : {}),
    },
    body: input.body,
  });
}

/** S3 GetObject: the object's bytes (a missing key throws NoSuchKey, as S3 names it). */
export async function getObject(input: { bucket: string; key: string }): Promise<Uint8Array> {
  const { hostPrefix, path } = s3Location(S3, input.bucket, input.key);
  const { body } = await s3({ method: 'GET', path, hostPrefix, query: { 'x-id': 'GetObject' } });
  return body;
}
