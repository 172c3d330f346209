import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The signed client the functions call Step Functions, SESv2 and S3 with
// (shared/adapters/aws-request.ts): what it sends, which answers it retries as the SDK's
// standard mode does, and how an error answer becomes an error named by its code.

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = { status: number; headers?: Record<string, string>; body?: string };

let server: Server;
let received: Received[] = [];
let answers: Answer[] = [];
let services: typeof import('#adapters/aws-services');
let request: typeof import('#adapters/aws-request');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? { status: 200, body: '{}' };
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'cn-north-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_SESV2: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
  });
  services = await import('#adapters/aws-services');
  request = await import('#adapters/aws-request');
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

/**
 * SigV4 of a received request, recomputed from the specification (not with the SDK's signer):
 * the signature the service would expect for these headers, path, query and body. S3 signs the
 * path as sent; other services escape it once more.
 */
function expectedSignature(sent: Received, secret: string, s3: boolean): string {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=/.exec(
      String(sent.headers.authorization),
    );
  if (!auth) throw new Error(`not SigV4: ${sent.headers.authorization}`);
  const [, , day, region, service, signedHeaders] = auth;
  const encode = (v: string) =>
    encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const url = new URL(sent.url, 'http://x');
  const path = s3 ? url.pathname : url.pathname.split('/').map(encode).join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const headers = signedHeaders!
    .split(';')
    .map((name) => `${name}:${String(sent.headers[name]).trim()}\n`)
    .join('');
  const payload = String(
    sent.headers['x-amz-content-sha256'] ?? createHash('sha256').update(sent.body).digest('hex'),
  );
  const canonical = [sent.method, path, query, headers, signedHeaders, payload].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    sent.headers['x-amz-date'],
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secret}`);
  for (const part of [day!, region!, service!, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

const signatureOf = (sent: Received) =>
  /Signature=([0-9a-f]{64})$/.exec(String(sent.headers.authorization))?.[1];

beforeEach(() => {
  received = [];
  answers = [];
});

describe('the signed AWS client', () => {
  it('sends a Step Functions action as AWS JSON 1.0, signed with the environment credentials', async () => {
    // Prepare
    answers = [{ status: 200, body: '{"executionArn":"arn:x","startDate":1}' }];

    // Act
    const output = await services.stepFunctions('StartExecution', { stateMachineArn: 'arn:sm', name: 'a' });

    // Assess
    expect(output).toEqual({ executionArn: 'arn:x', startDate: 1 });
    expect(received).toHaveLength(1);
    const [sent] = received;
    expect(sent!.method).toBe('POST');
    expect(sent!.url).toBe('/');
    expect(sent!.headers['x-amz-target']).toBe('AWSStepFunctions.StartExecution');
    expect(sent!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(sent!.body)).toEqual({ stateMachineArn: 'arn:sm', name: 'a' });
    expect(sent!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-north-1\/states\/aws4_request, SignedHeaders=[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(signatureOf(sent!)).toBe(expectedSignature(sent!, 'secret', false));
    expect(signatureOf(sent!)).not.toBe(expectedSignature(sent!, 'other', false));
  });

  it('names an error by the code in its JSON body, and does not retry a client error', async () => {
    // Prepare
    answers = [
      {
        status: 400,
        body: JSON.stringify({
          __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists',
          message: 'Execution Already Exists',
        }),
      },
    ];

    // Act
    const error = await services.stepFunctions('StartExecution', {}).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(request.AwsServiceError);
    expect(error).toMatchObject({
      name: 'ExecutionAlreadyExists',
      message: 'Execution Already Exists',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(received).toHaveLength(1);
  });

  it('takes the code from x-amzn-ErrorType when the service sends it (REST-JSON)', async () => {
    answers = [
      {
        status: 400,
        headers: { 'x-amzn-ErrorType': 'MessageRejected:http://internal.amazon.com/' },
        body: '{"message":"Email address is not verified."}',
      },
    ];

    const error = await services
      .sendRawEmail({ from: 'a@example.com', to: ['b@example.com'], raw: Buffer.from('x') })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'MessageRejected', message: 'Email address is not verified.' });
    expect(received).toHaveLength(1);
  });

  it('retries throttling and server errors, and succeeds when the service recovers', async () => {
    // Prepare
    answers = [
      { status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' },
      { status: 503, body: '{"__type":"ServiceUnavailable"}' },
      { status: 200, body: '{"MessageId":"m-1"}' },
    ];

    // Act
    const id = await services.sendRawEmail({
      from: 'a@example.com',
      to: ['b@example.com'],
      configurationSet: 'events',
      raw: Buffer.from('MIME'),
    });

    // Assess
    expect(id).toBe('m-1');
    expect(received).toHaveLength(3);
    expect(received[2]!.url).toBe('/v2/email/outbound-emails');
    expect(signatureOf(received[2]!)).toBe(expectedSignature(received[2]!, 'secret', false));
    expect(JSON.parse(received[2]!.body)).toEqual({
      FromEmailAddress: 'a@example.com',
      Destination: { ToAddresses: ['b@example.com'] },
      ConfigurationSetName: 'events',
      Content: { Raw: { Data: Buffer.from('MIME').toString('base64') } },
    });
  });

  it('gives up after three attempts, with the last error', async () => {
    answers = [
      { status: 500, body: '{"__type":"InternalFailure"}' },
      { status: 500, body: '{"__type":"InternalFailure"}' },
      { status: 500, body: '{"__type":"InternalFailure","message":"third"}' },
      { status: 200, body: '{}' },
    ];

    const error = await services.stepFunctions('SendTaskSuccess', {}).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InternalFailure', message: 'third', $fault: 'server' });
    expect(received).toHaveLength(3);
  });

  it('puts an S3 object path-style at an IP endpoint, with its payload hash and Content-MD5', async () => {
    // Prepare
    answers = [{ status: 200 }];

    // Act
    await services.putObject({
      bucket: 'docs',
      key: 'invoices/acc 1/inv+1.pdf',
      body: Buffer.from('%PDF'),
      contentType: 'application/pdf',
      ifNoneMatch: '*',
    });

    // Assess
    const [sent] = received;
    expect(sent!.method).toBe('PUT');
    expect(sent!.url).toBe('/docs/invoices/acc%201/inv%2B1.pdf?x-id=PutObject');
    expect(sent!.body).toBe('%PDF');
    expect(sent!.headers['if-none-match']).toBe('*');
    expect(sent!.headers['content-md5']).toBe('v6SxCnYySxZs/a1eAqY3MA==');
    expect(sent!.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(sent!.headers.authorization).toContain('/cn-north-1/s3/aws4_request');
    expect(sent!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update('%PDF').digest('hex'));
    expect(signatureOf(sent!)).toBe(expectedSignature(sent!, 'secret', true));
  });

  it("names an S3 error by the XML body's Code", async () => {
    answers = [
      {
        status: 404,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      },
    ];

    const error = await services.getObject({ bucket: 'docs', key: 'missing.pdf' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(received).toHaveLength(1);
  });

  it('resolves the regional endpoints when none is configured, and virtual-hosted S3 buckets there', () => {
    const saved = { ...process.env };
    try {
      delete process.env.AWS_ENDPOINT_URL_S3;
      delete process.env.AWS_ENDPOINT_URL_SFN;
      delete process.env.AWS_ENDPOINT_URL;
      expect(request.endpointOf(services.STEP_FUNCTIONS).href).toBe(
        'https://states.cn-north-1.amazonaws.com.cn/',
      );
      process.env.AWS_REGION = 'eu-west-1';
      expect(request.s3Location(services.S3, 'docs-bucket', 'a/b c.pdf')).toMatchObject({
        hostPrefix: 'docs-bucket',
        path: '/a/b%20c.pdf',
      });
      expect(request.endpointOf(services.S3).href).toBe('https://s3.eu-west-1.amazonaws.com/');
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
