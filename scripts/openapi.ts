/** `npm run openapi [-- --out file]`: writes the OpenAPI document generated from the zod schemas. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildOpenApiDocument } from '#http/openapi';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function writeOpenApi(out = resolve(root, 'cdk.out/openapi.json')): string {
  const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(version), null, 2)}\n`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  console.log(`OpenAPI document written to ${writeOpenApi(values.out ? resolve(values.out) : undefined)}`);
}
