import { json, route } from '#http/handler';
import { InvoiceIdPath, ShipmentBody } from '#schemas/invoices';
import { recordShipment } from '#use-cases/admin-applications';

export const handler = route(
  { access: 'finance', path: InvoiceIdPath, body: ShipmentBody },
  async ({ path, body, now }) => json(200, await recordShipment(path.invoiceId, body, now)),
);
