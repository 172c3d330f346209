// The routes live with the HTTP contract (shared/http/routes); infra builds one function each.
export { ROUTES } from '../shared/http/routes/index.ts';
export type { Route as RouteSpec } from '../shared/http/routes/route.ts';
