import { Result } from 'antd';
import { useI18n } from '../i18n.tsx';

/** "Not found" and "not allowed" pages (their illustrations stay out of the first load). */
export default function Status({ code }: { code: 403 | 404 }) {
  const { t } = useI18n();
  return <Result status={code} title={t(code === 404 ? 'common.notFound' : 'common.forbidden')} />;
}
