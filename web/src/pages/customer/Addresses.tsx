import { Button, Checkbox, Form, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, call, idempotencyKey, type Schemas } from '../../api/client.ts';
import { DeleteButton, EditorDialog, LoadError } from '../../common.tsx';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

const FIELDS = ['recipient', 'phone', 'province', 'city', 'district', 'street', 'postalCode'] as const;

/** 邮寄地址: several mailing addresses (R22), one of them the default. */
export default function Addresses() {
  const { t } = useI18n();
  const submit = useSubmit();
  const [form] = Form.useForm<Schemas['AddressInput']>();
  const [editing, setEditing] = useState<{ addressId?: string; key: string } | undefined>();
  const list = useLoad(() => call(api.GET('/v1/addresses')), []);
  if (list.error) return <LoadError error={list.error} />;

  const save = async () => {
    const body = await form.validateFields();
    const addressId = editing?.addressId;
    const done = await submit(
      () =>
        addressId
          ? call(api.PUT('/v1/addresses/{addressId}', { params: { path: { addressId } }, body }))
          : call(
              api.POST('/v1/addresses', { body, params: { header: { 'Idempotency-Key': editing!.key } } }),
            ),
      form,
    );
    if (done) {
      setEditing(undefined);
      list.reload();
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.addresses')}</Typography.Title>
      <Button
        type="primary"
        style={{ width: 'fit-content' }}
        onClick={() => {
          form.resetFields();
          setEditing({ key: idempotencyKey() });
        }}
      >
        {t('addresses.add')}
      </Button>
      <Table<Schemas['Address']>
        rowKey="addressId"
        loading={list.loading}
        pagination={false}
        dataSource={list.data?.items ?? []}
        columns={[
          { title: t('field.recipient'), dataIndex: 'recipient' },
          { title: t('field.phone'), dataIndex: 'phone' },
          {
            title: t('field.address'),
            render: (_, a) => `${a.province}${a.city}${a.district}${a.street} ${a.postalCode}`,
          },
          {
            title: '',
            dataIndex: 'isDefault',
            render: (d: boolean) => d && <Tag color="orange">{t('addresses.default')}</Tag>,
          },
          {
            title: '',
            render: (_, a) => (
              <Space>
                <Button
                  size="small"
                  onClick={() => {
                    const { addressId, ...fields } = a;
                    form.setFieldsValue(fields);
                    setEditing({ addressId, key: idempotencyKey() });
                  }}
                >
                  {t('common.edit')}
                </Button>
                <DeleteButton
                  remove={async () => {
                    // DELETE answers 204 without a body: `true` says it went through.
                    const done = await submit(async () => {
                      await call(
                        api.DELETE('/v1/addresses/{addressId}', {
                          params: { path: { addressId: a.addressId } },
                        }),
                      );
                      return true;
                    });
                    if (done) list.reload();
                  }}
                />
              </Space>
            ),
          },
        ]}
      />
      <EditorDialog
        open={editing !== undefined}
        title={editing?.addressId ? t('common.edit') : t('addresses.add')}
        onSave={() => void save()}
        onCancel={() => setEditing(undefined)}
      >
        <Form form={form} layout="vertical">
          {FIELDS.map((field) => (
            <Form.Item
              key={field}
              name={field}
              label={t(`field.${field}`)}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input />
            </Form.Item>
          ))}
          <Form.Item name="isDefault" valuePropName="checked">
            <Checkbox>{t('addresses.makeDefault')}</Checkbox>
          </Form.Item>
        </Form>
      </EditorDialog>
    </Space>
  );
}
