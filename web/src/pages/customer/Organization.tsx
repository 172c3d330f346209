import { App, Button, Card, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, call, idempotencyKey, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { fenFromYuan, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type Member = Schemas['OrganizationAccounts']['items'][number];
interface Values {
  mode: 'independent' | 'consolidated';
  titleId?: string;
  email?: string;
  amounts: Record<string, string | undefined>;
}

/**
 * For organization administrators (R32, R33): the members with what each can invoice, and one
 * application for several of them, independent (one per member) or consolidated (one in all).
 */
export default function Organization() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const [form] = Form.useForm<Values>();
  const [created, setCreated] = useState<Schemas['OrganizationApplicationResult'] | undefined>();
  const key = useRef<{ body: string; key: string } | undefined>(undefined);
  const org = useLoad(() => call(api.GET('/v1/org/accounts')), []);
  const titles = useLoad(() => call(api.GET('/v1/titles')), []);
  if (org.error) return <LoadError error={org.error} />;

  const onFinish = async (values: Values) => {
    const accounts = Object.entries(values.amounts ?? {})
      .map(([accountId, text]) => ({ accountId, amount: fenFromYuan(text ?? '') }))
      .filter((a): a is { accountId: string; amount: number } => a.amount !== undefined && a.amount > 0);
    if (accounts.length === 0 || !values.titleId) {
      message.error(t('org.nothingSelected'));
      return;
    }
    const body: Schemas['OrganizationApplication'] = {
      mode: values.mode,
      accounts,
      titleId: values.titleId,
      delivery: { medium: 'electronic', email: values.email?.trim() },
    };
    const text = JSON.stringify(body);
    if (key.current?.body !== text) key.current = { body: text, key: idempotencyKey() };
    const result = await submit(
      () =>
        call(
          api.POST('/v1/org/applications', {
            body,
            params: { header: { 'Idempotency-Key': key.current!.key } },
          }),
        ),
      form,
      (path) => (path[0] === 'delivery' ? [path[1] ?? 'email'] : path),
    );
    if (result) {
      setCreated(result);
      org.reload();
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.organization')}</Typography.Title>
      <Card>
        <Typography.Paragraph>
          {t('org.summary', { orgId: org.data?.orgId ?? '', amount: yuan(org.data?.invoiceable ?? 0) })}
          {org.data?.crossMemberArrearsOffset ? ` ${t('org.crossOffset')}` : ''}
        </Typography.Paragraph>
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={{ mode: 'consolidated' }}
          onFinish={(v) => void onFinish(v)}
        >
          <Table<Member>
            rowKey="accountId"
            size="small"
            loading={org.loading}
            pagination={false}
            dataSource={org.data?.items ?? []}
            columns={[
              { title: t('field.account'), dataIndex: 'accountId' },
              { title: t('overview.arrears'), dataIndex: 'arrears', align: 'right', render: yuan },
              {
                title: t('org.beforeArrears'),
                dataIndex: 'invoiceableBeforeArrears',
                align: 'right',
                render: yuan,
              },
              { title: t('field.invoiceableAmount'), dataIndex: 'invoiceable', align: 'right', render: yuan },
              {
                title: t('apply.amount'),
                render: (_, m) => (
                  <Form.Item name={['amounts', m.accountId]} noStyle>
                    <Input
                      aria-label={`${t('apply.amount')} ${m.accountId}`}
                      prefix="¥"
                      inputMode="decimal"
                      style={{ width: 160 }}
                    />
                  </Form.Item>
                ),
              },
            ]}
          />
          <Space direction="vertical" style={{ marginTop: 16, maxWidth: 560, width: '100%' }}>
            <Form.Item name="mode" label={t('org.mode')}>
              <Radio.Group>
                <Radio value="independent">{t('org.independent')}</Radio>
                <Radio value="consolidated">{t('org.consolidated')}</Radio>
              </Radio.Group>
            </Form.Item>
            <Form.Item
              name="titleId"
              label={t('field.title')}
              rules={[{ required: true, message: t('apply.titleRequired') }]}
            >
              <Select
                options={(titles.data?.items ?? [])
                  .filter((title) => title.status === 'approved')
                  .map((title) => ({ value: title.titleId, label: title.name }))}
              />
            </Form.Item>
            <Form.Item name="email" label={t('field.email')} rules={[{ required: true, type: 'email' }]}>
              <Input type="email" />
            </Form.Item>
            <Button type="primary" htmlType="submit">
              {t('apply.submit')}
            </Button>
          </Space>
        </Form>
      </Card>
      {created && (
        <Card title={t('org.created')}>
          <Table<Schemas['Application']>
            rowKey="applicationId"
            size="small"
            pagination={false}
            dataSource={created.applications}
            columns={[
              {
                title: t('field.applicationId'),
                dataIndex: 'applicationId',
                render: (id: string) => <Link to={`/applications/${encodeURIComponent(id)}`}>{id}</Link>,
              },
              {
                title: t('field.status'),
                dataIndex: 'status',
                render: (s: string) => <StatusTag status={s} />,
              },
              { title: t('field.total'), dataIndex: 'total', align: 'right', render: yuan },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}
