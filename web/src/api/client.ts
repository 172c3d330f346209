import createClient, { type Middleware } from 'openapi-fetch';
import { currentSession } from '../auth.ts';
import type { components, paths } from './schema.ts';

export type Schemas = components['schemas'];

const auth: Middleware = {
  onRequest({ request }) {
    const session = currentSession();
    if (session) request.headers.set('Authorization', `Bearer ${session.idToken}`);
    return request;
  },
};

/** The typed client: every path, parameter and body comes from the generated OpenAPI types. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  errors?: { path: string; message: string }[];
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}`);
  }
}

/** Unwraps an openapi-fetch result: the data, or a ProblemError carrying the problem+json. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    throw new ProblemError({ status: 0, code: 'NETWORK' });
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = (error ?? {}) as Partial<Problem>;
    throw new ProblemError({ ...body, status: response.status, code: body.code ?? 'INTERNAL' });
  }
  return data as T;
}

/** A download (PDF, CSV) with the bearer token: fetched as a blob, saved under `filename`. */
/** A file from the API (a PDF, the CSV export) as a Blob, with the session's token. */
export async function fetchFile(path: string): Promise<Blob> {
  const session = currentSession();
  const response = await fetch(path, {
    headers: session ? { Authorization: `Bearer ${session.idToken}` } : {},
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as Partial<Problem>;
    throw new ProblemError({ ...body, status: response.status, code: body.code ?? 'INTERNAL' });
  }
  return response.blob();
}

export async function download(path: string, filename: string): Promise<void> {
  const url = URL.createObjectURL(await fetchFile(path));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function idempotencyKey(): string {
  return crypto.randomUUID();
}
