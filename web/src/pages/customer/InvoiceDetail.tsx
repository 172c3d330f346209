import { App, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call, download, fetchFile, idempotencyKey, type Schemas } from '../../api/client.ts';
import { LoadError, StatusTag } from '../../common.tsx';
import { chinaTime, taxRate, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';
import { AuditTrail } from './AuditTrail.tsx';

const REASONS: Schemas['ReturnRequest']['reason'][] = [
  'ISSUE_ERROR',
  'SALES_RETURN',
  'SERVICE_SUSPENSION',
  'SALES_DISCOUNT',
];

/** An invoice: preview and download, receipt of paper, return (R34) with optional reissue, a copy when lost (R35). */
export default function InvoiceDetail() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const submit = useSubmit();
  const { invoiceId = '' } = useParams();
  const [returning, setReturning] = useState(false);
  /** The PDF shown in the preview, as an object URL of the downloaded file. */
  const [preview, setPreview] = useState<string>();
  const [form] = Form.useForm<Schemas['ReturnRequest']>();
  const [returnKey] = useState(idempotencyKey);
  const invoice = useLoad(
    () => call(api.GET('/v1/invoices/{invoiceId}', { params: { path: { invoiceId } } })),
    [invoiceId],
  );
  const titles = useLoad(() => call(api.GET('/v1/titles')), []);
  if (invoice.error) return <LoadError error={invoice.error} />;
  const inv = invoice.data;
  if (!inv) return <Card loading />;
  const path = { params: { path: { invoiceId } } };
  const paper = inv.delivery.medium === 'paper';

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>
        {t('invoice.title')} {inv.invoiceNumber}
      </Typography.Title>
      <Card>
        <Descriptions column={2}>
          <Descriptions.Item label={t('field.status')}>
            <StatusTag status={inv.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('invoice.kind')}>{t(`invoice.${inv.kind}`)}</Descriptions.Item>
          <Descriptions.Item label={t('field.title')}>{inv.title.name}</Descriptions.Item>
          <Descriptions.Item label={t('field.entity')}>{inv.entity}</Descriptions.Item>
          <Descriptions.Item label={t('field.taxRate')}>{taxRate(inv.taxRate)}</Descriptions.Item>
          <Descriptions.Item label={t('field.amountExcludingTax')}>
            {yuan(inv.amountExcludingTax)}
          </Descriptions.Item>
          <Descriptions.Item label={t('field.tax')}>{yuan(inv.taxAmount)}</Descriptions.Item>
          <Descriptions.Item label={t('field.amount')}>{yuan(inv.amount)}</Descriptions.Item>
          <Descriptions.Item label={t('invoice.issuedAt')}>{chinaTime(inv.issuedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('field.applicationId')}>
            <Link to={`/applications/${encodeURIComponent(inv.applicationId)}`}>{inv.applicationId}</Link>
          </Descriptions.Item>
          {inv.shipment && (
            <Descriptions.Item label={t('invoice.shipment')}>
              {t(`courier.${inv.shipment.courier}`)} {inv.shipment.trackingNumber ?? ''}
            </Descriptions.Item>
          )}
          {inv.return && (
            <Descriptions.Item label={t('invoice.return')}>
              {t(`reason.${inv.return.reason}`)} · {inv.return.status}
            </Descriptions.Item>
          )}
          {inv.paperStockNotice && (
            <Descriptions.Item label={t('nav.paperStock')}>{inv.paperStockNotice.message}</Descriptions.Item>
          )}
        </Descriptions>
        <Space wrap>
          <Button
            onClick={async () => {
              const pdf = await submit(() => fetchFile(`/v1/invoices/${encodeURIComponent(invoiceId)}/pdf`));
              if (pdf) setPreview(URL.createObjectURL(new Blob([pdf], { type: 'application/pdf' })));
            }}
          >
            {t('invoice.preview')}
          </Button>
          <Button
            type="primary"
            onClick={() =>
              void submit(() =>
                download(`/v1/invoices/${encodeURIComponent(invoiceId)}/pdf`, `${inv.invoiceNumber}.pdf`),
              )
            }
          >
            {t('invoice.download')}
          </Button>
          {paper && inv.status === 'shipped' && (
            <Button
              onClick={async () => {
                if (await submit(() => call(api.POST('/v1/invoices/{invoiceId}/receipt', path)))) {
                  message.success(t('invoice.received'));
                  invoice.reload();
                }
              }}
            >
              {t('invoice.confirmReceipt')}
            </Button>
          )}
          {inv.kind === 'blue' && !inv.return && (
            <Button onClick={() => setReturning(true)}>{t('invoice.returnAction')}</Button>
          )}
          {inv.kind === 'blue' && (
            <Button
              onClick={async () => {
                if (await submit(() => call(api.POST('/v1/invoices/{invoiceId}/copy-requests', path)))) {
                  message.success(t('invoice.copyRequested'));
                }
              }}
            >
              {t('invoice.requestCopy')}
            </Button>
          )}
        </Space>
      </Card>
      <Modal
        open={preview !== undefined}
        title={`${t('invoice.preview')} ${inv.invoiceNumber}`}
        footer={null}
        width="min(960px, 95vw)"
        destroyOnHidden
        onCancel={() => {
          if (preview) URL.revokeObjectURL(preview);
          setPreview(undefined);
        }}
      >
        {preview && (
          <iframe
            title={`${t('invoice.preview')} ${inv.invoiceNumber}`}
            src={preview}
            style={{ width: '100%', height: '70vh', border: 'none' }}
          />
        )}
      </Modal>
      <Modal
        open={returning}
        title={t('invoice.returnAction')}
        okText={t('common.submit')}
        cancelText={t('common.cancel')}
        onCancel={() => setReturning(false)}
        onOk={async () => {
          const values = await form.validateFields();
          const body = Object.fromEntries(
            Object.entries(values).filter(([, v]) => v !== undefined && v !== ''),
          ) as Schemas['ReturnRequest'];
          const done = await submit(
            () =>
              call(
                api.POST('/v1/invoices/{invoiceId}/returns', {
                  params: { path: { invoiceId }, header: { 'Idempotency-Key': returnKey } },
                  body,
                }),
              ),
            form,
          );
          if (done) {
            setReturning(false);
            message.success(t('invoice.returnRequested'));
            invoice.reload();
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t('field.reason')} rules={[{ required: true }]}>
            <Select options={REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }))} />
          </Form.Item>
          <Form.Item name="reissueTitleId" label={t('invoice.reissueTitle')}>
            <Select
              allowClear
              options={(titles.data?.items ?? [])
                .filter((title) => title.status === 'approved')
                .map((title) => ({ value: title.titleId, label: title.name }))}
            />
          </Form.Item>
          {paper && (
            <>
              <Form.Item name="courier" label={t('field.courier')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name="trackingNumber" label={t('field.trackingNumber')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            </>
          )}
          {inv.certifiedAt && (
            <Form.Item
              name="redLetterFormNumber"
              label={t('invoice.redLetterForm')}
              rules={[{ required: true, len: 16 }]}
            >
              <Input />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <AuditTrail kind="invoice" id={inv.invoiceId} />
    </Space>
  );
}
