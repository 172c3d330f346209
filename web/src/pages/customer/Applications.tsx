import { Button, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaTime, yuan } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type Status = Schemas['Application']['status'];
const STATUSES: Status[] = [
  'submitted',
  'in-review',
  'issuing',
  'issued',
  'shipped',
  'delivered',
  'rejected',
  'cancelled',
  'failed',
];

/** 开票记录: applications, newest first, with a status filter and paging by cursor. */
export default function Applications() {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status | undefined>();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const list = useLoad(
    () =>
      call(
        api.GET('/v1/applications', {
          params: { query: { limit: 20, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [status, cursor],
  );
  if (list.error) return <LoadError error={list.error} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.applications')}</Typography.Title>
      <Space>
        <Select
          allowClear
          aria-label={t('field.status')}
          placeholder={t('field.status')}
          style={{ width: 200 }}
          value={status}
          onChange={(value?: Status) => {
            setStatus(value);
            setCursors([undefined]);
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
      </Space>
      <Table<Schemas['Application']>
        rowKey="applicationId"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          {
            title: t('field.applicationId'),
            dataIndex: 'applicationId',
            render: (id: string) => <Link to={`/applications/${encodeURIComponent(id)}`}>{id}</Link>,
          },
          { title: t('field.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: t('field.mode'), dataIndex: 'mode', render: (m: string) => t(`mode.${m as 'orders'}`) },
          { title: t('field.title'), render: (_, a) => a.title.name },
          { title: t('field.total'), dataIndex: 'total', align: 'right', render: yuan },
          { title: t('field.submittedAt'), dataIndex: 'submittedAt', render: (v: string) => chinaTime(v) },
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
