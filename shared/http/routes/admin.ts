import type { Route } from '#http/routes/route';

/** Finance staff: reviews, shipments, returns, copies, notices. */
export const ADMIN_ROUTES: Route[] = [];
