import { App, Button, Card, Input, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client.ts';
import { LoadError } from '../../common.tsx';
import { chinaTime, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type Decision =
  | { kind: 'title'; accountId: string; titleId: string; name: string }
  | { kind: 'application'; applicationId: string; name: string };

/** The review queue: special titles (R21) and applications (R25), oldest first, with due dates. */
export default function Reviews() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const queue = useLoad(() => call(api.GET('/v1/admin/reviews')), []);
  const [rejecting, setRejecting] = useState<Decision | undefined>();
  const [reason, setReason] = useState('');
  if (queue.error) return <LoadError error={queue.error} />;

  const decide = async (decision: Decision, approve: boolean, why?: string) => {
    const body = approve ? { approve } : { approve, reason: why };
    const done = await submit<object>(() =>
      decision.kind === 'title'
        ? call(
            api.POST('/v1/admin/accounts/{accountId}/titles/{titleId}/decision', {
              params: { path: { accountId: decision.accountId, titleId: decision.titleId } },
              body,
            }),
          )
        : call(
            api.POST('/v1/admin/applications/{applicationId}/decision', {
              params: { path: { applicationId: decision.applicationId } },
              body,
            }),
          ),
    );
    if (done) {
      message.success(t(approve ? 'reviews.approved' : 'reviews.rejected'));
      setRejecting(undefined);
      setReason('');
      queue.reload();
    }
  };

  const actions = (decision: Decision) => (
    <Space>
      <Button
        type="primary"
        size="small"
        onClick={() => void decide(decision, true)}
        aria-label={`${t('reviews.approve')} ${decision.name}`}
        // The visible text must start the accessible name: no space inserted between two characters.
        autoInsertSpace={false}
      >
        {t('reviews.approve')}
      </Button>
      <Button
        danger
        size="small"
        onClick={() => setRejecting(decision)}
        aria-label={`${t('reviews.reject')} ${decision.name}`}
        autoInsertSpace={false}
      >
        {t('reviews.reject')}
      </Button>
    </Space>
  );

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.reviews')}</Typography.Title>
      <Button style={{ width: 'fit-content' }} onClick={queue.reload}>
        {t('common.refresh')}
      </Button>
      <Card title={t('reviews.applications')}>
        <Table<Schemas['ApplicationReview']>
          rowKey="applicationId"
          size="small"
          loading={queue.loading}
          pagination={false}
          dataSource={queue.data?.applications ?? []}
          columns={[
            { title: t('field.applicationId'), dataIndex: 'applicationId' },
            { title: t('field.account'), dataIndex: 'accountId' },
            { title: t('field.title'), dataIndex: 'titleName' },
            {
              title: t('field.medium'),
              dataIndex: 'medium',
              render: (m: 'paper' | 'electronic') => t(`medium.${m}`),
            },
            { title: t('field.total'), dataIndex: 'total', align: 'right', render: yuan },
            { title: t('field.submittedAt'), dataIndex: 'submittedAt', render: (v: string) => chinaTime(v) },
            { title: t('reviews.dueBy'), dataIndex: 'expectedBy', render: (v: string) => chinaTime(v) },
            {
              title: '',
              render: (_, a) =>
                actions({ kind: 'application', applicationId: a.applicationId, name: a.applicationId }),
            },
          ]}
        />
      </Card>
      <Card title={t('reviews.titles')}>
        <Table<Schemas['TitleReview']>
          rowKey={(r) => `${r.accountId}|${r.titleId}`}
          size="small"
          loading={queue.loading}
          pagination={false}
          dataSource={queue.data?.titles ?? []}
          columns={[
            { title: t('field.account'), dataIndex: 'accountId' },
            { title: t('field.name'), dataIndex: 'name' },
            { title: t('field.taxId'), dataIndex: 'taxId' },
            { title: t('field.bankName'), dataIndex: 'bankName' },
            { title: t('field.bankAccount'), dataIndex: 'bankAccount' },
            { title: t('reviews.dueBy'), dataIndex: 'reviewDueBy', render: (v?: string) => chinaTime(v) },
            {
              title: '',
              render: (_, r) =>
                actions({ kind: 'title', accountId: r.accountId, titleId: r.titleId, name: r.name }),
            },
          ]}
        />
      </Card>
      <Modal
        open={rejecting !== undefined}
        title={`${t('reviews.reject')} ${rejecting?.name ?? ''}`}
        okText={t('reviews.reject')}
        cancelText={t('common.cancel')}
        okButtonProps={{ danger: true, disabled: reason.trim() === '' }}
        onOk={() => rejecting && void decide(rejecting, false, reason.trim())}
        onCancel={() => setRejecting(undefined)}
      >
        <Input.TextArea
          aria-label={t('field.reason')}
          placeholder={t('reviews.reasonPlaceholder')}
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.target.value.replace(/[\r\n]+/g, ' '))}
        />
      </Modal>
    </Space>
  );
}
