import { Alert, Button, Modal, Popconfirm, Tag } from 'antd';
import type { ReactNode } from 'react';
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

/** A row's delete button behind a confirmation; `remove` runs only when confirmed. */
export function DeleteButton({ remove }: { remove: () => Promise<void> }) {
  const { t } = useI18n();
  return (
    <Popconfirm
      title={t('common.deleteConfirm')}
      okText={t('common.yes')}
      cancelText={t('common.no')}
      onConfirm={remove}
    >
      <Button size="small" danger>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}

/** The dialog a list edits an item in: save and cancel, the form kept mounted for its values. */
export function EditorDialog({
  open,
  title,
  onSave,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  onSave: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Modal
      open={open}
      title={title}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={onSave}
      onCancel={onCancel}
      forceRender
    >
      {children}
    </Modal>
  );
}
