import { json, route } from '#http/handler';
import { listEntities } from '#use-cases/entities';

export const handler = route({ access: 'customer' }, async () => json(200, listEntities()));
