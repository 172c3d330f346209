import { App, Button, Card, Descriptions, Popconfirm, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call, download, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaTime, taxRate, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { AuditTrail } from './AuditTrail.tsx';

function useCountdown(until: string | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return until ? Math.max(0, Date.parse(until) - now) : 0;
}

function hms(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

const OPEN: Schemas['Application']['status'][] = ['submitted', 'in-review', 'issuing'];

/** An application: status, timeline, expected date, the cancellation deadline, its invoices. */
export default function ApplicationDetail() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const { applicationId = '' } = useParams();
  const app = useLoad(
    () => call(api.GET('/v1/applications/{applicationId}', { params: { path: { applicationId } } })),
    [applicationId],
  );
  const left = useCountdown(app.data?.status === 'submitted' ? app.data.cancellableUntil : undefined);
  // While it moves on its own (submitted → issued → delivered), look again every few seconds.
  const { reload } = app;
  const moving = app.data !== undefined && OPEN.includes(app.data.status);
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [moving, reload]);

  if (app.error) return <LoadError error={app.error} />;
  const a = app.data;
  if (!a) return <Card loading />;

  const cancel = async () => {
    const done = await submit(() =>
      call(api.POST('/v1/applications/{applicationId}/cancel', { params: { path: { applicationId } } })),
    );
    if (done) {
      message.success(t('application.cancelled'));
      reload();
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>
        {t('application.title')} {a.applicationId}
      </Typography.Title>
      <Card>
        <Descriptions column={2}>
          <Descriptions.Item label={t('field.status')}>
            <span data-testid="application-status">
              <StatusTag status={a.status} />
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('field.total')}>{yuan(a.total)}</Descriptions.Item>
          <Descriptions.Item label={t('field.title')}>{a.title.name}</Descriptions.Item>
          <Descriptions.Item label={t('field.medium')}>
            {t(`medium.${a.delivery.medium}`)} {a.delivery.email ?? ''}
            {a.deliveryBounce && (
              <Tag color="red" data-testid="delivery-bounce">
                {t(a.deliveryBounce.suppressed ? 'mail.suppressed' : 'mail.bounced')}
              </Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('field.submittedAt')}>{chinaTime(a.submittedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('application.expectedBy')}>{chinaTime(a.expectedBy)}</Descriptions.Item>
          <Descriptions.Item label={t('application.cancellableUntil')}>
            {chinaTime(a.cancellableUntil, true)}
          </Descriptions.Item>
        </Descriptions>
        {a.status === 'submitted' && left > 0 && (
          <Space>
            <Typography.Text data-testid="cancel-countdown">
              {t('application.cancelLeft', { left: hms(left) })}
            </Typography.Text>
            <Popconfirm
              title={t('application.cancelConfirm')}
              onConfirm={() => void cancel()}
              okText={t('common.yes')}
              cancelText={t('common.no')}
            >
              <Button danger>{t('application.cancel')}</Button>
            </Popconfirm>
          </Space>
        )}
      </Card>
      <Card title={t('application.timeline')}>
        <Timeline
          items={a.timeline.map((step) => ({
            children: (
              <>
                <StatusTag status={step.status} /> {chinaTime(step.at, true)} {step.note ?? ''}
              </>
            ),
          }))}
        />
      </Card>
      <Card title={t('nav.invoices')}>
        <Table<Schemas['Application']['invoices'][number]>
          rowKey="invoiceId"
          size="small"
          pagination={false}
          dataSource={a.invoices}
          columns={[
            {
              title: t('field.invoiceNumber'),
              dataIndex: 'invoiceNumber',
              render: (n: string | undefined, inv) =>
                n ? (
                  <Link to={`/invoices/${encodeURIComponent(inv.invoiceId)}`}>{n}</Link>
                ) : (
                  t('application.notIssued')
                ),
            },
            { title: t('field.entity'), dataIndex: 'entity' },
            { title: t('field.taxRate'), dataIndex: 'taxRate', render: taxRate },
            { title: t('field.tax'), dataIndex: 'taxAmount', align: 'right', render: yuan },
            { title: t('field.amount'), dataIndex: 'amount', align: 'right', render: yuan },
            {
              title: '',
              render: (_, inv) =>
                inv.invoiceNumber && (
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
      </Card>
      <AuditTrail kind="application" id={a.applicationId} />
    </Space>
  );
}
