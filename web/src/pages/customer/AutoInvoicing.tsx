import { App, Button, Card, Form, Input, Radio, Select, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { api, call } from '../../api/client.ts';
import { LoadError } from '../../common.tsx';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

interface Values {
  enabled: boolean;
  titleId?: string;
  medium: 'electronic' | 'paper';
  email?: string;
  addressId?: string;
}

/** 定期开票 (R31): on the 10th the full invoiceable amount is invoiced and sent. */
export default function AutoInvoicing() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const [form] = Form.useForm<Values>();
  const account = useLoad(() => call(api.GET('/v1/account')), []);
  const titles = useLoad(() => call(api.GET('/v1/titles')), []);
  const addresses = useLoad(() => call(api.GET('/v1/addresses')), []);
  useEffect(() => {
    const auto = account.data?.autoInvoicing;
    if (auto)
      form.setFieldsValue({
        enabled: auto.enabled,
        titleId: auto.titleId,
        medium: auto.delivery?.medium ?? 'electronic',
        email: auto.delivery?.email,
        addressId: auto.delivery?.addressId,
      });
  }, [account.data, form]);
  const enabled = Form.useWatch('enabled', form);
  const medium = Form.useWatch('medium', form);
  if (account.error) return <LoadError error={account.error} />;

  return (
    <Card
      title={
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('nav.autoInvoicing')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph>{t('auto.explain')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        style={{ maxWidth: 520 }}
        initialValues={{ enabled: false, medium: 'electronic' }}
        onFinish={async (values) => {
          const body = values.enabled
            ? {
                enabled: true,
                titleId: values.titleId,
                delivery:
                  values.medium === 'paper'
                    ? { medium: 'paper' as const, addressId: values.addressId }
                    : { medium: 'electronic' as const, email: values.email },
              }
            : { enabled: false };
          const done = await submit(
            () => call(api.PUT('/v1/account/auto-invoicing', { body })),
            form,
            (path) => (path[0] === 'delivery' ? [path[1] ?? 'medium'] : path),
          );
          if (done) message.success(t('common.saved'));
        }}
      >
        <Form.Item name="enabled" label={t('auto.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        {enabled && (
          <>
            <Form.Item name="titleId" label={t('field.title')} rules={[{ required: true }]}>
              <Select
                options={(titles.data?.items ?? [])
                  .filter((title) => title.status === 'approved')
                  .map((title) => ({ value: title.titleId, label: title.name }))}
              />
            </Form.Item>
            <Form.Item name="medium" label={t('field.medium')}>
              <Radio.Group>
                <Radio value="electronic">{t('medium.electronic')}</Radio>
                <Radio value="paper">{t('medium.paper')}</Radio>
              </Radio.Group>
            </Form.Item>
            {medium === 'paper' ? (
              <Form.Item name="addressId" label={t('field.address')} rules={[{ required: true }]}>
                <Select
                  options={(addresses.data?.items ?? []).map((a) => ({
                    value: a.addressId,
                    label: `${a.recipient} ${a.city}${a.street}`,
                  }))}
                />
              </Form.Item>
            ) : (
              <Form.Item name="email" label={t('field.email')} rules={[{ required: true, type: 'email' }]}>
                <Input />
              </Form.Item>
            )}
          </>
        )}
        <Button type="primary" htmlType="submit">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
