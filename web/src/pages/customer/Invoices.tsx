import { Button, DatePicker, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, download, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaDate, chinaTime, taxRate, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** Issued invoices, blue and red, newest first (R29), with the CSV export of a date range. */
export default function Invoices() {
  const { t } = useI18n();
  const submit = useSubmit();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const [range, setRange] = useState<[string, string]>(() => {
    const to = chinaDate();
    return [chinaDate(new Date(Date.now() - 89 * 86_400_000)), to];
  });
  const list = useLoad(
    () => call(api.GET('/v1/invoices', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } })),
    [cursor],
  );
  if (list.error) return <LoadError error={list.error} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.invoices')}</Typography.Title>
      <Space wrap>
        <DatePicker.RangePicker
          aria-label={t('invoice.exportRange')}
          allowClear={false}
          onChange={(_, text) => {
            if (text[0] && text[1]) setRange([text[0], text[1]]);
          }}
        />
        <Button
          onClick={() =>
            void submit(() =>
              download(
                `/v1/invoices/export.csv?from=${range[0]}&to=${range[1]}`,
                `invoices-${range[0]}-${range[1]}.csv`,
              ),
            )
          }
        >
          {t('invoice.export')}
        </Button>
        <Typography.Text type="secondary">
          {range[0]} – {range[1]}
        </Typography.Text>
      </Space>
      <Table<Schemas['Invoice']>
        rowKey="invoiceId"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          {
            title: t('field.invoiceNumber'),
            dataIndex: 'invoiceNumber',
            render: (n: string, inv) => (
              <Link to={`/invoices/${encodeURIComponent(inv.invoiceId)}`}>{n}</Link>
            ),
          },
          { title: t('invoice.kind'), dataIndex: 'kind', render: (k: 'blue' | 'red') => t(`invoice.${k}`) },
          { title: t('field.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: t('field.title'), render: (_, inv) => inv.title.name },
          { title: t('field.taxRate'), dataIndex: 'taxRate', render: taxRate },
          { title: t('field.amount'), dataIndex: 'amount', align: 'right', render: yuan },
          { title: t('invoice.issuedAt'), dataIndex: 'issuedAt', render: (v: string) => chinaTime(v) },
          {
            title: '',
            render: (_, inv) => (
              <Button
                size="small"
                onClick={() =>
                  void submit(() =>
                    download(
                      `/v1/invoices/${encodeURIComponent(inv.invoiceId)}/pdf`,
                      `${inv.invoiceNumber}.pdf`,
                    ),
                  )
                }
              >
                {t('invoice.download')}
              </Button>
            ),
          },
        ]}
      />
      <Space>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Button
          disabled={!list.data?.nextCursor}
          onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data?.nextCursor])}
        >
          {t('common.next')}
        </Button>
      </Space>
    </Space>
  );
}
