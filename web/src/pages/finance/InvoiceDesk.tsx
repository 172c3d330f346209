import { App, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client.ts';
import { StatusTag } from '../../common.tsx';
import { yuan } from '../../format.ts';
import { useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

const COURIERS: Schemas['Shipment']['courier'][] = ['SF', 'YUNDA', 'PICKUP'];

/**
 * One paper invoice by its id: record its shipment (R27), a mailed-back return's arrival and
 * the buyer's certification (R34).
 */
export default function InvoiceDesk() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const [form] = Form.useForm<Schemas['Shipment'] & { invoiceId: string }>();
  const [last, setLast] = useState<Schemas['Invoice'] | undefined>();
  const courier = Form.useWatch('courier', form);

  const act = async (action: 'shipment' | 'returned' | 'certified') => {
    const {
      invoiceId,
      courier: c,
      trackingNumber,
    } = await form.validateFields(action === 'shipment' ? undefined : ['invoiceId']);
    const path = { params: { path: { invoiceId: invoiceId.trim() } } };
    const done = await submit<object>(
      () =>
        action === 'shipment'
          ? call(
              api.POST('/v1/admin/invoices/{invoiceId}/shipment', {
                ...path,
                body:
                  c === 'PICKUP' ? { courier: c } : { courier: c, trackingNumber: trackingNumber?.trim() },
              }),
            )
          : action === 'returned'
            ? call(api.POST('/v1/admin/invoices/{invoiceId}/returned', path))
            : call(api.POST('/v1/admin/invoices/{invoiceId}/certified', path)),
      form,
    );
    if (done) {
      message.success(t('common.saved'));
      if ('kind' in done) setLast(done as Schemas['Invoice']);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.invoiceDesk')}</Typography.Title>
      <Card>
        <Form form={form} layout="vertical" style={{ maxWidth: 520 }} initialValues={{ courier: 'SF' }}>
          <Form.Item
            name="invoiceId"
            label={t('field.invoiceId')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="courier" label={t('field.courier')}>
            <Select options={COURIERS.map((c) => ({ value: c, label: t(`courier.${c}`) }))} />
          </Form.Item>
          {courier !== 'PICKUP' && (
            <Form.Item
              name="trackingNumber"
              label={t('field.trackingNumber')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input />
            </Form.Item>
          )}
          <Space wrap>
            <Button type="primary" onClick={() => void act('shipment')}>
              {t('desk.ship')}
            </Button>
            <Button onClick={() => void act('returned')}>{t('desk.returned')}</Button>
            <Button onClick={() => void act('certified')}>{t('desk.certified')}</Button>
          </Space>
        </Form>
      </Card>
      {last && (
        <Card>
          <Descriptions column={2}>
            <Descriptions.Item label={t('field.invoiceNumber')}>{last.invoiceNumber}</Descriptions.Item>
            <Descriptions.Item label={t('field.status')}>
              <StatusTag status={last.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('field.amount')}>{yuan(last.amount)}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
    </Space>
  );
}
