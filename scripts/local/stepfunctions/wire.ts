/** The AWS JSON 1.0 wire: names, ARNs, paging and answers. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalStateMachine } from '../types.ts';
import { ApiError, type ExecutionRecord, NAME_FORBIDDEN } from './model.ts';

export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export function roleArnOf(machine: LocalStateMachine): string {
  const account = machine.arn.split(':')[4] ?? '000000000000';
  return `arn:aws:iam::${account}:role/${machine.logicalId}Role`;
}

export function describe(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    ...(record.stopDate === undefined ? {} : { stopDate: seconds(record.stopDate) }),
  };
}

export function paginate<T>(
  items: T[],
  maxResults: unknown,
  nextToken: unknown,
): { page: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  let offset = 0;
  if (nextToken !== undefined) {
    offset = Number(Buffer.from(String(nextToken), 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new ApiError('InvalidToken', 'Invalid pagination token');
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString('base64url') }
    : { page };
}

/** The JSON 1.0 protocol sends timestamps as epoch seconds. */
export function seconds(epochMs: number): number {
  return epochMs / 1000;
}

export function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
