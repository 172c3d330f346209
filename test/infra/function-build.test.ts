import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOptions } from '../../infra/build-function.mjs';

const root = path.resolve(import.meta.dirname, '../..');

/** A module that sends one SES and one S3 command, bundled as a function is (or without the plugins). */
async function bundle(withPlugins: boolean): Promise<string> {
  const { entryPoints: _entry, outfile: _out, ...options } = buildOptions('unused.ts', 'out.mjs');
  const result = await build({
    ...options,
    ...(withPlugins ? {} : { plugins: [] }),
    stdin: {
      contents:
        "import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';\n" +
        "import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';\n" +
        'export const mail = (input) => new SESv2Client({}).send(new SendEmailCommand(input));\n' +
        'export const store = (input) => new S3Client({}).send(new PutObjectCommand(input));\n',
      resolveDir: root,
      loader: 'js',
    },
    outfile: path.join(root, 'out.mjs'),
    sourcemap: false,
    write: false,
  });
  return result.outputFiles[0]!.text;
}

describe('function build (infra/build-function.mjs)', () => {
  let shaken: string;
  let plain: string;
  beforeAll(async () => {
    [shaken, plain] = await Promise.all([bundle(true), bundle(false)]);
  });

  it('keeps the schemas of the commands sent and drops the rest of the service', () => {
    // SendEmail's HTTP binding stays; CreateContactList's goes, as it does not without the plugins.
    expect(shaken).toContain('/v2/email/outbound-emails');
    expect(plain).toContain('/v2/email/contact-lists');
    expect(shaken).not.toContain('/v2/email/contact-lists');
    expect(shaken.length).toBeLessThan(plain.length - 50_000);
  });

  it('leaves out the event-stream serde and bundles the loud replacement instead', () => {
    expect(plain).toContain(':message-type');
    expect(shaken).not.toContain(':message-type');
    expect(shaken).toContain('Event streams are not bundled in this function');
  });

  it('leaves out the SHA-256 fallback, the instance-metadata region lookup and adaptive retries', () => {
    // The metadata service's address, the adaptive strategy's rate limiter, the JS SHA-256 constants.
    for (const gone of ['169.254.169.254', 'enableTokenBucket', 'Cannot hash more than 2^53 - 1 bits']) {
      expect(plain).toContain(gone);
      expect(shaken).not.toContain(gone);
    }
    expect(shaken).toContain('The adaptive retry mode (AWS_RETRY_MODE=adaptive)');
  });

  it("bundles only the name and version of each client's package.json", () => {
    expect(plain).toContain('build:cjs');
    expect(shaken).not.toContain('build:cjs');
    // The user agent still names the client's version.
    const { version } = JSON.parse(
      readFileSync(path.join(root, 'node_modules/@aws-sdk/client-sesv2/package.json'), 'utf8'),
    );
    expect(shaken).toContain(`"${version}"`);
  });
});
