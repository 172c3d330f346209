import { json, route } from '#http/handler';
import { listEntities } from '#use-cases/ledger';

export const handler = route({ access: 'customer' }, async () => json(200, listEntities()));
