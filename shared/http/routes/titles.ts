import type { Route } from '#http/routes/route';
import { CreateTitleBody, TitleView } from '#schemas/titles';

/** Invoice titles (invoice information) and mailing addresses. */
export const TITLE_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/titles',
    entry: 'functions/titles/create-title.ts',
    uses: ['table-write'],
    summary: 'Add an invoice title',
    body: CreateTitleBody,
    ok: { status: 201, schema: TitleView },
    errors: ['REAL_NAME_REQUIRED', 'TITLE_TYPE_NOT_ALLOWED'],
  },
];
