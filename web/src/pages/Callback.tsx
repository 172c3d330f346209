import { Alert, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { finishCognitoSignIn, loadConfig } from '../auth.ts';
import { useI18n } from '../i18n.tsx';

/** Cognito's redirect target: trades the code for tokens and goes on to the console. */
export default function Callback() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    (async () => {
      const config = await loadConfig();
      if (config.signIn !== 'cognito') throw new Error('not a Cognito sign-in');
      const session = await finishCognitoSignIn(config, new URLSearchParams(window.location.search));
      navigate(session.groups.includes('finance') ? '/finance/reviews' : '/overview', { replace: true });
    })().catch(() => setFailed(true));
  }, [navigate]);
  return failed ? <Alert type="error" title={t('signIn.failed')} /> : <Spin />;
}
