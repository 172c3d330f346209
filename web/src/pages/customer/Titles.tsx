import { App, Button, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, call, idempotencyKey, type Schemas } from '../../api/client.ts';
import { DeleteButton, EditorDialog, LoadError, StatusTag } from '../../common.tsx';
import { chinaTime } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type TitleType = Schemas['TitleInput']['type'];
const TYPES: TitleType[] = [
  'enterprise-ordinary',
  'enterprise-special',
  'personal-ordinary',
  'organization-ordinary',
];
const SPECIAL_FIELDS = ['registeredAddress', 'registeredPhone', 'bankName', 'bankAccount'] as const;

/** 开票信息: titles of the four types; special ones go to review (R21) and show its outcome. */
export default function Titles() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const [form] = Form.useForm<Schemas['TitleInput']>();
  const [editing, setEditing] = useState<{ titleId?: string; key: string } | undefined>();
  const list = useLoad(() => call(api.GET('/v1/titles')), []);
  const type = Form.useWatch('type', form);
  if (list.error) return <LoadError error={list.error} />;

  const save = async () => {
    const values = await form.validateFields();
    const body = Object.fromEntries(
      Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
    ) as Schemas['TitleInput'];
    const titleId = editing?.titleId;
    const done = await submit(
      () =>
        titleId
          ? call(api.PUT('/v1/titles/{titleId}', { params: { path: { titleId } }, body }))
          : call(api.POST('/v1/titles', { body, params: { header: { 'Idempotency-Key': editing!.key } } })),
      form,
    );
    if (done) {
      message.success(done.status === 'pending-review' ? t('titles.underReview') : t('common.saved'));
      setEditing(undefined);
      list.reload();
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.titles')}</Typography.Title>
      <Button
        type="primary"
        style={{ width: 'fit-content' }}
        onClick={() => {
          form.resetFields();
          form.setFieldsValue({ type: 'enterprise-ordinary' });
          setEditing({ key: idempotencyKey() });
        }}
      >
        {t('titles.add')}
      </Button>
      <Table<Schemas['Title']>
        rowKey="titleId"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('field.name'), dataIndex: 'name' },
          { title: t('titles.type'), dataIndex: 'type', render: (v: TitleType) => t(`titleType.${v}`) },
          { title: t('field.taxId'), dataIndex: 'taxId' },
          {
            title: t('field.status'),
            render: (_, title) => (
              <Space direction="vertical" size={0}>
                <StatusTag status={title.status} />
                {title.status === 'pending-review' && title.reviewDueBy && (
                  <Typography.Text type="secondary">
                    {t('titles.dueBy', { at: chinaTime(title.reviewDueBy) })}
                  </Typography.Text>
                )}
                {title.rejectionReason && (
                  <Typography.Text type="danger">{title.rejectionReason}</Typography.Text>
                )}
                {title.notifyEmailBounce && (
                  <Tag color="red">
                    {title.notifyEmailBounce.address}:{' '}
                    {t(title.notifyEmailBounce.suppressed ? 'mail.suppressed' : 'mail.bounced')}
                  </Tag>
                )}
              </Space>
            ),
          },
          {
            title: '',
            render: (_, title) => (
              <Space>
                <Button
                  size="small"
                  onClick={() => {
                    form.resetFields();
                    const {
                      titleId,
                      status,
                      rejectionReason,
                      submittedAt,
                      reviewDueBy,
                      decidedAt,
                      ...fields
                    } = title;
                    form.setFieldsValue(fields);
                    setEditing({ titleId, key: idempotencyKey() });
                  }}
                >
                  {t('common.edit')}
                </Button>
                <DeleteButton
                  remove={async () => {
                    // DELETE answers 204 without a body: `true` says it went through.
                    const done = await submit(async () => {
                      await call(
                        api.DELETE('/v1/titles/{titleId}', { params: { path: { titleId: title.titleId } } }),
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
        title={editing?.titleId ? t('common.edit') : t('titles.add')}
        onSave={() => void save()}
        onCancel={() => setEditing(undefined)}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="type" label={t('titles.type')} rules={[{ required: true }]}>
            <Select options={TYPES.map((v) => ({ value: v, label: t(`titleType.${v}`) }))} />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('field.name')}
            rules={[{ required: true, whitespace: true, max: 100 }]}
          >
            <Input />
          </Form.Item>
          {type !== 'personal-ordinary' && (
            <Form.Item name="taxId" label={t('field.taxId')} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          )}
          {type === 'enterprise-special' &&
            SPECIAL_FIELDS.map((field) => (
              <Form.Item key={field} name={field} label={t(`field.${field}`)} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            ))}
          {type === 'enterprise-special' && (
            <Form.Item name="notifyEmail" label={t('field.notifyEmail')} rules={[{ type: 'email' }]}>
              <Input />
            </Form.Item>
          )}
          <Form.Item name="remark" label={t('field.remark')}>
            <Input />
          </Form.Item>
        </Form>
      </EditorDialog>
    </Space>
  );
}
