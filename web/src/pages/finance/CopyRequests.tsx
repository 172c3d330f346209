import { App, Button, Space, Table, Typography } from 'antd';
import { api, call, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaTime } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** Open copy requests of lost invoices, oldest first (R35); sending one e-mails the customer. */
export default function CopyRequests() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const list = useLoad(() => call(api.GET('/v1/admin/copy-requests')), []);
  if (list.error) return <LoadError error={list.error} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.copyRequests')}</Typography.Title>
      <Table<Schemas['CopyRequest']>
        rowKey="requestId"
        loading={list.loading}
        pagination={false}
        dataSource={list.data?.items ?? []}
        columns={[
          { title: t('field.invoiceNumber'), dataIndex: 'invoiceNumber' },
          { title: t('field.account'), dataIndex: 'accountId' },
          { title: t('field.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: t('copy.requestedAt'), dataIndex: 'requestedAt', render: (v: string) => chinaTime(v) },
          {
            title: '',
            render: (_, r) => (
              <Button
                size="small"
                onClick={async () => {
                  const done = await submit(() =>
                    call(
                      api.POST('/v1/admin/invoices/{invoiceId}/copy-sent', {
                        params: { path: { invoiceId: r.invoiceId } },
                      }),
                    ),
                  );
                  if (done) {
                    message.success(t('common.saved'));
                    list.reload();
                  }
                }}
              >
                {t('copy.markSent')}
              </Button>
            ),
          },
        ]}
      />
    </Space>
  );
}
