import { Card, Table } from 'antd';
import { api, call, type Schemas } from '../../api/client.ts';
import { chinaTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** The audit trail of an application or an invoice, oldest first. */
export function AuditTrail({ kind, id }: { kind: 'application' | 'invoice'; id: string }) {
  const { t } = useI18n();
  const trail = useLoad(
    () =>
      kind === 'application'
        ? call(api.GET('/v1/applications/{applicationId}/audit', { params: { path: { applicationId: id } } }))
        : call(api.GET('/v1/invoices/{invoiceId}/audit', { params: { path: { invoiceId: id } } })),
    [kind, id],
  );
  return (
    <Card title={t('audit.trail')}>
      <Table<Schemas['AuditTrail']['items'][number]>
        rowKey="seq"
        size="small"
        loading={trail.loading}
        pagination={false}
        dataSource={trail.data?.items ?? []}
        columns={[
          { title: '#', dataIndex: 'seq' },
          { title: t('audit.at'), dataIndex: 'at', render: (v: string) => chinaTime(v, true) },
          { title: t('audit.actor'), dataIndex: 'actor' },
          { title: t('audit.action'), dataIndex: 'action' },
          { title: t('field.reason'), dataIndex: 'reason' },
        ]}
      />
    </Card>
  );
}
