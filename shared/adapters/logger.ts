import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * Powertools' own structure, with one change: an error is logged as its name, message, stack
 * and location (and its cause, the same way), never with its other fields. SDK errors carry
 * what the request sent or the table held — a ConditionalCheckFailedException its `Item`, a
 * TransactionCanceledException its `CancellationReasons` with items — and Powertools would log
 * every one of them.
 */
export class PersonalDataSafeFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }

  override formatError(error: Error): LogAttributes {
    return {
      name: error.name,
      location: this.getCodeLocation(error.stack),
      message: error.message,
      stack: error.stack,
      cause: error.cause instanceof Error ? this.formatError(error.cause) : undefined,
    };
  }
}

/**
 * Structured logs (CloudWatch). Never pass personal data: names, tax IDs, bank accounts, phones,
 * addresses, e-mail addresses — log ids instead. test/e2e/logs-personal-data.test.ts scans
 * every line a whole lifecycle writes for them.
 */
export const logger = new Logger({
  serviceName: 'invoice-service',
  logFormatter: new PersonalDataSafeFormatter(),
});

/**
 * The correlation id of what is being handled (the API request, or the application a workflow
 * step works on), as every log line carries it (`correlation_id`). Set per invocation by the
 * HTTP chain and the workflow tasks; undefined elsewhere.
 */
export function correlationId(): string | undefined {
  const id = logger.getCorrelationId();
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** What an incoming X-Correlation-Id may look like (also safe in a mail header and a URN). */
export const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
