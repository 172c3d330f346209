/**
 * SES v2 locally: `aws-ses-v2-local` runs in this process and keeps sent mail in memory;
 * `GET <url>/store` lists it (see SesStore). Mail does not survive a restart.
 */
import type { Server } from 'node:http';
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

export async function startSes(options: StartSesOptions): Promise<LocalSes> {
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
