import { Logger } from '@aws-lambda-powertools/logger';

/** Structured logs (CloudWatch). Never pass personal data: tax IDs, bank accounts, phones, addresses. */
export const logger = new Logger({ serviceName: 'invoice-service' });
