import * as settings from '#config/settings';

/** GET /v1/entities: the sellers from configuration (R11), without what only invoices print. */
export function listEntities() {
  return { items: settings.entities().map(({ entityId, name, taxId }) => ({ entityId, name, taxId })) };
}
