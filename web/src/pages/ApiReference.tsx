import { Alert, Input, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { ProblemError } from '../api/client.ts';
import { useLoad } from '../hooks.ts';
import { useI18n } from '../i18n.tsx';

interface Operation {
  key: string;
  method: string;
  path: string;
  summary: string;
  group?: string;
  body?: string;
  ok: string;
  errors: string;
}

interface Content {
  [mediaType: string]: { schema?: unknown };
}
interface OperationObject {
  summary?: string;
  description?: string;
  requestBody?: { content?: Content };
  responses: Record<string, { description: string; content?: Content }>;
}
interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, OperationObject>>;
}

const METHOD_COLORS: Record<string, string> = { get: 'blue', post: 'green', put: 'orange', delete: 'red' };

function schemaName(schema: unknown): string | undefined {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref?.split('/').pop();
}

/** The API reference, read from the same OpenAPI document the console's types come from. */
export default function ApiReference() {
  const { t } = useI18n();
  const [filter, setFilter] = useState('');
  const document = useLoad(async () => {
    const response = await fetch('/openapi.json');
    if (!response.ok) throw new ProblemError({ status: response.status, code: 'NOT_FOUND' });
    return (await response.json()) as OpenApiDocument;
  }, []);
  const operations = useMemo<Operation[]>(
    () =>
      Object.entries(document.data?.paths ?? {}).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => {
          const [okStatus, ok] = Object.entries(op.responses)[0]!;
          const okType = Object.keys(ok.content ?? {})[0];
          return {
            key: `${method} ${path}`,
            method,
            path,
            summary: op.summary ?? '',
            group: op.description,
            body: schemaName(op.requestBody?.content?.['application/json']?.schema),
            ok: `${okStatus} ${schemaName(ok.content?.[okType ?? '']?.schema) ?? okType ?? ''}`.trim(),
            errors: Object.entries(op.responses)
              .slice(1)
              .map(([status, r]) => `${status} ${r.description}`)
              .join('; '),
          };
        }),
      ),
    [document.data],
  );
  const shown = operations.filter((op) =>
    `${op.method} ${op.path} ${op.summary}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.apiReference')}</Typography.Title>
      {document.error && <Alert type="error" title={t('error.NOT_FOUND')} />}
      <Typography.Paragraph>
        {t('api.intro', { version: document.data?.info.version ?? '' })}{' '}
        <a href="/openapi.json">openapi.json</a>
      </Typography.Paragraph>
      <Input.Search
        aria-label={t('api.filter')}
        placeholder={t('api.filter')}
        allowClear
        onChange={(e) => setFilter(e.target.value)}
        style={{ maxWidth: 360 }}
      />
      <Table<Operation>
        rowKey="key"
        size="small"
        loading={document.loading}
        pagination={false}
        dataSource={shown}
        columns={[
          {
            title: t('api.method'),
            dataIndex: 'method',
            render: (m: string) => (
              <Tag color={METHOD_COLORS[m] ?? 'default'} style={{ color: 'rgba(0, 0, 0, 0.88)' }}>
                {m.toUpperCase()}
              </Tag>
            ),
          },
          { title: t('api.path'), dataIndex: 'path', render: (p: string) => <code>{p}</code> },
          {
            title: t('api.summary'),
            dataIndex: 'summary',
            render: (s: string, op) => (op.group ? `${s} (${op.group})` : s),
          },
          { title: t('api.body'), dataIndex: 'body' },
          { title: t('api.answer'), dataIndex: 'ok' },
          { title: t('api.errors'), dataIndex: 'errors' },
        ]}
      />
    </Space>
  );
}
