// The routes live with the HTTP contract (shared/http/routes); infra builds one function per group.
export { API_FUNCTIONS, type ApiFunction, ROUTES } from '../shared/http/routes/index.ts';
export type { Route as RouteSpec } from '../shared/http/routes/route.ts';
