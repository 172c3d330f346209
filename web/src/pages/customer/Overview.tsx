import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Row,
  Space,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { Link } from 'react-router';
import { api, call, type Schemas } from '../../api/client.ts';
import { LoadError } from '../../common.tsx';
import { chinaTime, taxRate, yuan } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** 发票管理 overview: the invoiceable amount with its formula (R10), deficit, arrears, records. */
export default function Overview() {
  const { t } = useI18n();
  const account = useLoad(() => call(api.GET('/v1/account')), []);
  const invoiceable = useLoad(() => call(api.GET('/v1/invoiceable')), []);
  const waiting = useLoad(
    () => call(api.GET('/v1/billing-records', { params: { query: { invoiceable: 'false', limit: '50' } } })),
    [],
  );
  if (account.error) return <LoadError error={account.error} />;
  if (invoiceable.error) return <LoadError error={invoiceable.error} />;
  const formula = invoiceable.data?.formula;
  const temporarily = (waiting.data?.items ?? []).filter((r) => r.status === 'temporarily-not-invoiceable');

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.overview')}</Typography.Title>
      {account.data && !account.data.synced && <Alert type="warning" title={t('overview.notSynced')} />}
      <Row gutter={16}>
        <Col span={8}>
          <Card loading={invoiceable.loading}>
            <Statistic
              title={
                <Space>
                  {t('overview.invoiceable')}
                  <Tooltip
                    title={
                      formula &&
                      t('overview.formula', {
                        consumed: yuan(formula.consumedCash),
                        negatives: yuan(formula.negatives),
                        invoiced: yuan(formula.invoiced),
                        reserved: yuan(formula.reserved),
                        arrears: yuan(formula.arrearsOffset),
                        deficit: yuan(formula.deficit),
                      })
                    }
                  >
                    <Tag aria-label={t('overview.formulaLabel')}>ⓘ</Tag>
                  </Tooltip>
                </Space>
              }
              value={yuan(invoiceable.data?.amount ?? 0)}
            />
            <Link to="/apply">
              <Button type="primary" style={{ marginTop: 12 }}>
                {t('overview.invoiceNow')}
              </Button>
            </Link>
          </Card>
        </Col>
        <Col span={8}>
          <Card loading={account.loading}>
            <Statistic title={t('overview.deficit')} value={yuan(account.data?.deficit ?? 0)} />
          </Card>
        </Col>
        <Col span={8}>
          <Card loading={account.loading}>
            <Statistic title={t('overview.arrears')} value={yuan(account.data?.arrears ?? 0)} />
          </Card>
        </Col>
      </Row>
      {formula && (
        <Card title={t('overview.formulaTitle')}>
          <Descriptions column={3} size="small">
            <Descriptions.Item label={t('formula.consumedCash')}>
              {yuan(formula.consumedCash)}
            </Descriptions.Item>
            <Descriptions.Item label={t('formula.negatives')}>{yuan(formula.negatives)}</Descriptions.Item>
            <Descriptions.Item label={t('formula.invoiced')}>{yuan(formula.invoiced)}</Descriptions.Item>
            <Descriptions.Item label={t('formula.reserved')}>{yuan(formula.reserved)}</Descriptions.Item>
            <Descriptions.Item label={t('formula.arrearsOffset')}>
              {yuan(formula.arrearsOffset)}
            </Descriptions.Item>
            <Descriptions.Item label={t('formula.deficit')}>{yuan(formula.deficit)}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <Card title={t('overview.byEntity')}>
        <Table<Schemas['Invoiceable']['byEntity'][number]>
          rowKey={(r) => `${r.entity}|${r.taxRate}`}
          pagination={false}
          size="small"
          dataSource={invoiceable.data?.byEntity ?? []}
          columns={[
            { title: t('field.entity'), dataIndex: 'entity' },
            { title: t('field.taxRate'), dataIndex: 'taxRate', render: taxRate },
            { title: t('field.amount'), dataIndex: 'amount', align: 'right', render: yuan },
          ]}
        />
      </Card>
      <Card title={t('overview.temporarily')}>
        <Table<Schemas['BillingRecord']>
          rowKey="recordId"
          size="small"
          pagination={false}
          loading={waiting.loading}
          dataSource={temporarily}
          columns={[
            { title: t('field.recordId'), dataIndex: 'recordId' },
            { title: t('field.period'), dataIndex: 'period' },
            { title: t('field.amount'), dataIndex: 'cashAmount', align: 'right', render: yuan },
            { title: t('field.reason'), dataIndex: 'notInvoiceableReason' },
            {
              title: t('overview.eligibleFrom'),
              dataIndex: 'eligibleFrom',
              render: (v?: string) => chinaTime(v),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
