/**
 * SES v2 locally: `aws-ses-v2-local` runs in this process and keeps sent mail in memory;
 * `GET <url>/store` lists it (see SesStore). Mail does not survive a restart.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

export interface StartSesOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Keep the mail already in the in-process store (a restart in fault tests); default clears it. */
  keepStore?: boolean;
}

export interface LocalSes {
  /** Endpoint for the SESv2 client (AWS_ENDPOINT_URL_SESV2). */
  url: string;
  /** `GET` it to list sent mail. */
  storeUrl: string;
  close(): Promise<void>;
}

/** The shape of `GET /store` (aws-ses-v2-local 2.10). */
export interface SesStore {
  templates: Record<string, unknown>;
  emails: SesStoredEmail[];
}

export interface SesStoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** `content` is base64; Simple/Template content also carries contentDisposition/contentId, Raw mail mailparser's fields. */
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

// The package is CommonJS with `exports.default`: Node's ESM loader hands us the whole
// exports object as the default import, while bundler-style loaders (vitest) unwrap it.
const startServer: StartServer =
  typeof sesModule === 'function'
    ? (sesModule as StartServer)
    : (sesModule as unknown as { default: StartServer }).default;

/**
 * The package keeps the custom headers of Simple and Template mail but drops those of raw MIME
 * mail, which is what the service sends (e.g. `X-Correlation-Id`). SES delivers them, so the
 * store should show them: the raw handler's parser and the store's save are wrapped (both are
 * looked up on their CommonJS module objects at call time) to put the parsed message's `X-`
 * headers on the stored mail.
 */
function keepRawMailHeaders(): void {
  const load = createRequire(createRequire(import.meta.url).resolve('aws-ses-v2-local'));
  const parser = load('mailparser') as { simpleParser: (...args: unknown[]) => Promise<ParsedMail> };
  const store = load('./store') as { saveEmail: (email: SesStoredEmail) => void };
  if ((store.saveEmail as { keepsHeaders?: boolean }).keepsHeaders) return;
  const parsed: ParsedMail[] = [];
  const parse = parser.simpleParser;
  parser.simpleParser = async (...args: unknown[]) => {
    const message = await parse(...args);
    parsed.push(message);
    if (parsed.length > 100) parsed.shift();
    return message;
  };
  const save = store.saveEmail;
  const saveWithHeaders = (email: SesStoredEmail) => {
    const at = email.headers
      ? -1
      : parsed.findIndex((m) => m.subject === email.subject && m.text === email.body.text);
    if (at >= 0) {
      const [message] = parsed.splice(at, 1);
      const headers = [...(message?.headers ?? new Map()).entries()]
        .filter(([name, value]) => name.startsWith('x-') && typeof value === 'string')
        .map(([name, value]) => ({ name, value: value as string }));
      if (headers.length > 0) email.headers = headers;
    }
    save(email);
  };
  store.saveEmail = Object.assign(saveWithHeaders, { keepsHeaders: true });
}

interface ParsedMail {
  subject?: string;
  text?: string;
  headers?: Map<string, unknown>;
}

export async function startSes(options: StartSesOptions): Promise<LocalSes> {
  keepRawMailHeaders();
  const host = options.host ?? '127.0.0.1';
  const server = await startServer({ host, port: options.port });
  // Express 5 resolves app.listen's callback on a listen error too, so check it really listens.
  if (!server.listening) {
    await new Promise<void>((r) => server.close(() => r()));
    throw new Error(`SES: could not listen on ${host}:${options.port} (port in use?)`);
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  // The package's store is a module singleton: a stack started earlier in this process
  // (tests) would otherwise leak its mail into this one.
  if (!options.keepStore) await fetch(`${url}/clear-store`, { method: 'POST' });

  let closing: Promise<void> | undefined;
  return {
    url,
    storeUrl: `${url}/store`,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
