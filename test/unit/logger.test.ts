import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, PersonalDataSafeFormatter } from '#adapters/logger';

/** What a failed conditional write with ReturnValuesOnConditionCheckFailure carries. */
function conditionFailed(): ConditionalCheckFailedException {
  const error = new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    Item: { phone: { S: '13912345678' }, bankAccount: { S: '6222000011112222' } },
  });
  return error;
}

afterEach(() => vi.restoreAllMocks());

describe('logger', () => {
  it('formats an error as name, message, stack and location only, its cause the same way', () => {
    const cause = conditionFailed();
    const error = new Error('write failed', { cause });
    Object.assign(error, { input: { recipient: '王五' } });

    const formatted = new PersonalDataSafeFormatter().formatError(error);

    expect(Object.keys(formatted).sort()).toEqual(['cause', 'location', 'message', 'name', 'stack']);
    expect(formatted.name).toBe('Error');
    expect(formatted.message).toBe('write failed');
    expect(formatted.cause).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
    });
    expect(JSON.stringify(formatted)).not.toMatch(/13912345678|6222000011112222|王五/);
  });

  it('writes no field of a logged SDK error but its name and message', () => {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }

    logger.error('save failed', { error: conditionFailed() });

    const line = lines.join('');
    expect(line).toContain('"message":"save failed"');
    expect(line).toContain('"name":"ConditionalCheckFailedException"');
    expect(line).not.toContain('13912345678');
    expect(line).not.toContain('6222000011112222');
  });
});
