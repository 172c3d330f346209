import { App, Button, Card, DatePicker, Form, Input, Space, Typography } from 'antd';
import { api, call } from '../../api/client.ts';
import { useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

/** The paper-stock notice (R36): shown on paper applications while it is in force. */
export default function PaperStock() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const [form] = Form.useForm<{ message: string; date: { format(f: string): string } }>();
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('nav.paperStock')}
        </Typography.Title>
      }
    >
      <Form
        form={form}
        layout="vertical"
        style={{ maxWidth: 520 }}
        onFinish={async (values) => {
          const done = await submit(
            () =>
              call(
                api.PUT('/v1/admin/paper-stock-notice', {
                  body: {
                    message: values.message.trim(),
                    expectedMailingDate: values.date.format('YYYY-MM-DD'),
                  },
                }),
              ),
            form,
            (path) => (path[0] === 'expectedMailingDate' ? ['date'] : path),
          );
          if (done) message.success(t('common.saved'));
        }}
      >
        <Form.Item
          name="message"
          label={t('paper.message')}
          rules={[{ required: true, whitespace: true, max: 500 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="date" label={t('paper.expectedMailingDate')} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common.save')}
          </Button>
          <Button
            onClick={async () => {
              const done = await submit(() => call(api.PUT('/v1/admin/paper-stock-notice', { body: {} })));
              if (done) {
                form.resetFields();
                message.success(t('paper.cleared'));
              }
            }}
          >
            {t('paper.clear')}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}
