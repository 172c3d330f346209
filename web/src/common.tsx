import { Alert, Tag } from 'antd';
import type { ProblemError } from './api/client.ts';
import { useProblemText } from './hooks.ts';
import { useI18n } from './i18n.tsx';
import type { MessageKey } from './messages.ts';
import Status from './pages/Status.tsx';

/** A failed load: "not found" for a 404 (also another account's object), otherwise the problem. */
export function LoadError({ error }: { error: ProblemError }) {
  const text = useProblemText();
  if (error.problem.status === 404) return <Status code={404} />;
  return <Alert type="error" showIcon title={text(error)} />;
}

const COLORS: Record<string, string> = {
  submitted: 'blue',
  'in-review': 'gold',
  issuing: 'processing',
  issued: 'green',
  shipped: 'cyan',
  delivered: 'green',
  rejected: 'red',
  cancelled: 'default',
  failed: 'red',
  approved: 'green',
  'pending-review': 'gold',
  returning: 'orange',
  returned: 'orange',
  credited: 'purple',
  open: 'gold',
  sent: 'green',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const label = t(key);
  // The preset colours tint background and border; the text stays dark enough to read (WCAG AA).
  return (
    <Tag color={COLORS[status] ?? 'default'} style={{ color: 'rgba(0, 0, 0, 0.88)' }}>
      {label === key ? status : label}
    </Tag>
  );
}
