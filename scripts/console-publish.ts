/**
 * `npm run console:publish -- --outputs cdk-outputs.json`: after
 * `npx cdk deploy --outputs-file cdk-outputs.json`, uploads web/dist to the console bucket with
 * console-config.json (the Cognito login domain and client the console signs in with) and the
 * OpenAPI document its API reference page shows.
 * Hashed assets are cached for a year; index.html and the config are revalidated on every load.
 * Credentials and region come from the usual AWS environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildOpenApiDocument } from '#http/openapi';
import { buildConsole, consoleDist } from './console-build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ConsoleOutputs {
  ConsoleUrl: string;
  ConsoleBucket: string;
  ConsoleClientId: string;
  ConsoleLoginDomain: string;
}

/** What the deployed console reads at start (web/src/auth.ts, ConsoleConfig). */
export function consoleConfig(outputs: ConsoleOutputs) {
  return {
    signIn: 'cognito' as const,
    domain: outputs.ConsoleLoginDomain,
    clientId: outputs.ConsoleClientId,
    redirectUri: `${outputs.ConsoleUrl}/callback`,
    logoutUri: `${outputs.ConsoleUrl}/sign-in`,
  };
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outputs: { type: 'string', default: 'cdk-outputs.json' } } });
  const all = JSON.parse(readFileSync(values.outputs!, 'utf8')) as Record<string, Partial<ConsoleOutputs>>;
  const outputs = Object.values(all).find((o) => o.ConsoleBucket !== undefined) as ConsoleOutputs | undefined;
  if (!outputs) throw new Error(`${values.outputs} has no stack with a ConsoleBucket output`);
  await buildConsole();
  const s3 = new S3Client({});
  const put = (key: string, body: Buffer | string, type: string, cache: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: outputs.ConsoleBucket,
        Key: key,
        Body: body,
        ContentType: type,
        CacheControl: cache,
      }),
    );
  const paths = files(consoleDist);
  // Assets first, the page last: a visitor never gets an index.html whose scripts are missing.
  for (const path of paths.filter((p) => !p.endsWith('index.html'))) {
    const key = relative(consoleDist, path).split('\\').join('/');
    await put(
      key,
      readFileSync(path),
      TYPES[extname(path)] ?? 'application/octet-stream',
      'public, max-age=31536000, immutable',
    );
  }
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  // The console's API reference page reads it, as it does from the local gateway.
  await put('openapi.json', JSON.stringify(buildOpenApiDocument(version)), 'application/json', 'no-cache');
  await put('console-config.json', JSON.stringify(consoleConfig(outputs)), 'application/json', 'no-cache');
  await put('index.html', readFileSync(join(consoleDist, 'index.html')), TYPES['.html']!, 'no-cache');
  console.log(
    `Console published to s3://${outputs.ConsoleBucket} (${paths.length} files); open ${outputs.ConsoleUrl}`,
  );
}
