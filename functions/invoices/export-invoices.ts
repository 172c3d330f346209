import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { json, route } from '#http/handler';
import { ExportQuery } from '#schemas/invoices';
import { exportInvoicesCsv } from '#use-cases/invoices';

/**
 * The shared chain writes JSON; a CSV body must go out as the text itself. This last `after`
 * runs first on the way out and turns the JSON string back into that text (errors are not
 * touched: they never reach `after`). Text, not base64, so API Gateway needs no binary type.
 */
const csvBody: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
  after: async (request) => {
    const response = request.response;
    if (response?.headers?.['content-type']?.toString().startsWith('text/csv')) {
      response.body = JSON.parse(response.body) as string;
    }
  },
};

export const handler = route(
  { access: 'customer', query: ExportQuery },
  async ({ accountId, query, now }) => {
    const { filename, csv } = await exportInvoicesCsv(accountId, query, now);
    return json(200, csv, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
    });
  },
).use(csvBody);
