import { json, route } from '#http/handler';
import { CopyRequestQuery } from '#schemas/returns';
import { listOpenCopyRequests } from '#use-cases/copies';

export const handler = route({ access: 'finance', query: CopyRequestQuery }, async ({ query }) =>
  json(200, await listOpenCopyRequests(query)),
);
