import { Alert, Button, Card, Form, Input, Radio, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { type ConsoleConfig, loadConfig, signInLocally, startCognitoSignIn } from '../auth.ts';
import { useI18n } from '../i18n.tsx';

type Role = 'customer' | 'finance' | 'org-admin';
const GROUPS: Record<Role, string[]> = { customer: [], finance: ['finance'], 'org-admin': ['org-admin'] };

export default function SignIn() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [config, setConfig] = useState<ConsoleConfig | undefined>();
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    loadConfig().then(setConfig, () => setFailed(true));
  }, []);

  if (failed) return <Alert type="error" title={t('signIn.unavailable')} />;
  if (!config) return <Spin />;

  if (config.signIn === 'cognito') {
    return (
      <Card title={t('signIn.title')} style={{ maxWidth: 420 }}>
        <Button type="primary" onClick={() => void startCognitoSignIn(config)}>
          {t('signIn.cognito')}
        </Button>
      </Card>
    );
  }

  return (
    <Card title={t('signIn.localTitle')} style={{ maxWidth: 480 }}>
      <Alert type="info" title={t('signIn.localNote')} style={{ marginBottom: 16 }} />
      <Form
        layout="vertical"
        initialValues={{ accountId: 'demo-enterprise', role: 'customer' }}
        onFinish={async (values: { accountId: string; role: Role }) => {
          setBusy(true);
          try {
            const session = await signInLocally(values.accountId.trim(), GROUPS[values.role]);
            const from = (location.state as { from?: string } | null)?.from;
            const finance = session.groups.includes('finance');
            navigate(
              from && from.startsWith('/finance') === finance
                ? from
                : finance
                  ? '/finance/reviews'
                  : '/overview',
            );
          } catch {
            setFailed(true);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="accountId"
          label={t('signIn.account')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input autoComplete="username" />
        </Form.Item>
        <Form.Item name="role" label={t('signIn.role')}>
          <Radio.Group>
            <Radio value="customer">{t('signIn.customer')}</Radio>
            <Radio value="org-admin">{t('signIn.orgAdmin')}</Radio>
            <Radio value="finance">{t('signIn.finance')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Form>
    </Card>
  );
}
