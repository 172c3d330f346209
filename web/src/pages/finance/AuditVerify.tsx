import { Alert, Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client.ts';
import { chinaTime } from '../../format.ts';
import { useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type SubjectType = Schemas['AuditVerification']['subjectType'];
const TYPES: SubjectType[] = ['application', 'invoice', 'title', 'return', 'copy-request'];

/** Recomputes a trail's hash chain and compares it with its anchor outside the table. */
export default function AuditVerify() {
  const { t } = useI18n();
  const submit = useSubmit();
  const [result, setResult] = useState<Schemas['AuditVerification'] | undefined>();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.audit')}</Typography.Title>
      <Card>
        <Form
          layout="inline"
          initialValues={{ subjectType: 'application' }}
          onFinish={async (values: { subjectType: SubjectType; subjectId: string }) => {
            const verified = await submit(() =>
              call(
                api.GET('/v1/admin/audit/{subjectType}/{subjectId}/verify', {
                  params: { path: { subjectType: values.subjectType, subjectId: values.subjectId.trim() } },
                }),
              ),
            );
            setResult(verified);
          }}
        >
          <Form.Item name="subjectType" label={t('audit.subjectType')}>
            <Select style={{ width: 160 }} options={TYPES.map((v) => ({ value: v, label: v }))} />
          </Form.Item>
          <Form.Item
            name="subjectId"
            label={t('audit.subjectId')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            {t('audit.verify')}
          </Button>
        </Form>
      </Card>
      {result && (
        <Card>
          <Alert
            type={result.ok ? 'success' : 'error'}
            showIcon
            title={t(result.ok ? 'audit.ok' : 'audit.broken', { entries: result.entries })}
            description={
              result.anchor &&
              t('audit.anchor', { seq: result.anchor.seq, at: chinaTime(result.anchor.anchoredAt) })
            }
          />
          {result.problems.length > 0 && (
            <Table
              rowKey={(p) => `${p.seq}|${p.kind}`}
              size="small"
              pagination={false}
              dataSource={result.problems}
              columns={[
                { title: '#', dataIndex: 'seq' },
                { title: t('audit.kind'), dataIndex: 'kind' },
                { title: t('monthly.detail'), dataIndex: 'detail' },
              ]}
            />
          )}
        </Card>
      )}
    </Space>
  );
}
