import { Button, Card, Descriptions, Input, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaDate, chinaTime, yuan } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** The monthly run report (R31): what was created, and every skipped account with its reason. */
export default function MonthlyRun() {
  const { t } = useI18n();
  const [input, setInput] = useState(chinaDate().slice(0, 7));
  const [month, setMonth] = useState(input);
  const run = useLoad(
    () => call(api.GET('/v1/admin/monthly-runs/{month}', { params: { path: { month } } })),
    [month],
  );
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.monthlyRuns')}</Typography.Title>
      <Space>
        <Input
          aria-label={t('monthly.month')}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          style={{ width: 140 }}
        />
        <Button onClick={() => setMonth(input.trim())}>{t('common.show')}</Button>
      </Space>
      {run.error ? (
        <LoadError error={run.error} />
      ) : (
        run.data && (
          <Card>
            <Descriptions column={3}>
              <Descriptions.Item label={t('field.status')}>
                <StatusTag status={run.data.status} />
              </Descriptions.Item>
              <Descriptions.Item label={t('monthly.startedAt')}>
                {chinaTime(run.data.startedAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t('monthly.completedAt')}>
                {chinaTime(run.data.completedAt)}
              </Descriptions.Item>
              <Descriptions.Item label={t('monthly.processed')}>{run.data.processed}</Descriptions.Item>
              <Descriptions.Item label={t('monthly.created')}>
                {run.data.created} · {yuan(run.data.createdAmount)}
              </Descriptions.Item>
              <Descriptions.Item label={t('monthly.skipped')}>{run.data.skipped}</Descriptions.Item>
            </Descriptions>
            <Table<Schemas['MonthlyRun']['items'][number]>
              rowKey={(r) => `${r.accountId}|${r.at}`}
              size="small"
              pagination={false}
              dataSource={run.data.items}
              columns={[
                { title: t('field.account'), dataIndex: 'accountId' },
                { title: t('monthly.code'), dataIndex: 'code' },
                { title: t('monthly.detail'), dataIndex: 'detail' },
                { title: t('audit.at'), dataIndex: 'at', render: (v: string) => chinaTime(v) },
              ]}
            />
          </Card>
        )
      )}
    </Space>
  );
}
