import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Radio,
  Select,
  Space,
  Steps,
  Table,
  Tabs,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call, idempotencyKey, type Schemas } from '../../api/client.ts';
import { LoadError } from '../../common.tsx';
import { chinaTime, fenFromYuan, taxRate, yuan } from '../../format.ts';
import { useLoad, useSubmit } from '../../hooks.ts';
import { useI18n } from '../../i18n.tsx';

type Mode = 'orders' | 'bills' | 'amount';
type Body = Schemas['ApplicationCreate'];
interface Values {
  amountYuan?: string;
  titleId?: string;
  medium: 'electronic' | 'paper';
  email?: string;
  addressId?: string;
}

/** 开票: choose what (orders, monthly bills or an amount), confirm the preview, submit. */
export default function Apply() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const submit = useSubmit();
  const [form] = Form.useForm<Values>();
  const [mode, setMode] = useState<Mode>('orders');
  const [selected, setSelected] = useState<string[]>([]);
  const [preview, setPreview] = useState<{ body: Body; result: Schemas['ApplicationPreview'] } | undefined>();
  const [busy, setBusy] = useState(false);
  // One key per body: a double click, or a retry after a lost answer, creates one application.
  const key = useRef<{ body: string; key: string } | undefined>(undefined);

  const [entity, setEntity] = useState<string | undefined>();
  const [period, setPeriod] = useState('');
  const invoiceable = useLoad(() => call(api.GET('/v1/invoiceable')), []);
  const entities = useLoad(() => call(api.GET('/v1/entities')), []);
  const records = useLoad(
    () =>
      call(
        api.GET('/v1/billing-records', {
          params: {
            query: {
              kind: mode === 'bills' ? 'monthly-bill' : 'order',
              invoiceable: 'true',
              limit: '100',
              ...(entity ? { entity } : {}),
              ...(/^\d{4}-\d{2}$/.test(period) ? { period } : {}),
            },
          },
        }),
      ),
    [mode, entity, period],
  );
  // Refunds and adjustments, shown under the record they reduce (R7): never selectable alone.
  const negatives = useLoad(async () => {
    const [refunds, adjustments] = await Promise.all(
      (['refund', 'adjustment'] as const).map((kind) =>
        call(api.GET('/v1/billing-records', { params: { query: { kind, limit: '100' } } })),
      ),
    );
    return [...(refunds?.items ?? []), ...(adjustments?.items ?? [])];
  }, []);
  const negativesOf = (recordId: string) =>
    (negatives.data ?? []).filter((r) => r.parentRecordId === recordId);
  const entityName = (id: string) => entities.data?.items.find((e) => e.entityId === id)?.name ?? id;
  const titles = useLoad(() => call(api.GET('/v1/titles')), []);
  const addresses = useLoad(() => call(api.GET('/v1/addresses')), []);
  const last = useLoad(() => call(api.GET('/v1/applications', { params: { query: { limit: 1 } } })), []);

  // R19: title and delivery prefilled from the last application.
  useEffect(() => {
    const prefill = last.data?.prefill;
    if (prefill && form.getFieldValue('titleId') === undefined) {
      form.setFieldsValue({
        titleId: prefill.titleId,
        medium: prefill.delivery.medium,
        email: prefill.delivery.email,
        addressId: prefill.delivery.addressId,
      });
    }
  }, [last.data, form]);

  const medium = Form.useWatch('medium', form) ?? 'electronic';
  const approvedTitles = (titles.data?.items ?? []).filter((title) => title.status === 'approved');
  const selectedTotal = (records.data?.items ?? [])
    .filter((r) => selected.includes(r.recordId))
    .reduce((sum, r) => sum + r.invoiceableAmount, 0);

  const bodyOf = (values: Values): Body | undefined => {
    const delivery =
      values.medium === 'paper'
        ? { medium: 'paper' as const, addressId: values.addressId }
        : { medium: 'electronic' as const, email: values.email?.trim() };
    if (!values.titleId) return undefined;
    if (mode === 'amount') {
      const amount = fenFromYuan(values.amountYuan ?? '');
      if (amount === undefined) return undefined;
      return { mode, amount, titleId: values.titleId, delivery };
    }
    return { mode, recordIds: selected, titleId: values.titleId, delivery };
  };

  const fieldFor = (path: string[]) => {
    if (path[0] === 'amount') return ['amountYuan'];
    if (path[0] === 'delivery') return [path[1] ?? 'medium'];
    return path;
  };

  const onPreview = async () => {
    const values = await form.validateFields();
    const body = bodyOf(values);
    if (!body) return;
    setBusy(true);
    const result = await submit(() => call(api.POST('/v1/applications/preview', { body })), form, fieldFor);
    setBusy(false);
    if (result) setPreview({ body, result });
  };

  const onSubmit = async () => {
    if (!preview) return;
    const text = JSON.stringify(preview.body);
    if (key.current?.body !== text) key.current = { body: text, key: idempotencyKey() };
    setBusy(true);
    const created = await submit(
      () =>
        call(
          api.POST('/v1/applications', {
            body: preview.body,
            params: { header: { 'Idempotency-Key': key.current!.key } },
          }),
        ),
      form,
      fieldFor,
    );
    setBusy(false);
    if (created) navigate(`/applications/${encodeURIComponent(created.applicationId)}`);
  };

  if (titles.error) return <LoadError error={titles.error} />;
  const step = preview ? 1 : 0;

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2}>{t('nav.apply')}</Typography.Title>
      <Steps current={step} items={[{ title: t('apply.stepChoose') }, { title: t('apply.stepConfirm') }]} />
      <div hidden={step !== 0}>
        <Card>
          <Tabs
            activeKey={mode}
            onChange={(next) => {
              setMode(next as Mode);
              setSelected([]);
            }}
            items={[
              { key: 'orders', label: t('apply.byOrders') },
              { key: 'bills', label: t('apply.byBills') },
              { key: 'amount', label: t('apply.byAmount') },
            ]}
          />
          {mode !== 'amount' && (
            <Space wrap style={{ marginBottom: 12 }}>
              <Select
                allowClear
                aria-label={t('field.entity')}
                placeholder={t('field.entity')}
                style={{ width: 260 }}
                value={entity}
                onChange={(value?: string) => setEntity(value)}
                options={(entities.data?.items ?? []).map((e) => ({ value: e.entityId, label: e.name }))}
              />
              <Input
                aria-label={t('apply.periodFilter')}
                placeholder={t('apply.periodFilter')}
                style={{ width: 160 }}
                value={period}
                onChange={(e) => setPeriod(e.target.value.trim())}
              />
            </Space>
          )}
          {mode === 'amount' ? (
            <Typography.Paragraph>
              {t('overview.invoiceable')}: <strong>{yuan(invoiceable.data?.amount ?? 0)}</strong>
            </Typography.Paragraph>
          ) : (
            <Table<Schemas['BillingRecord']>
              rowKey="recordId"
              size="small"
              loading={records.loading}
              dataSource={records.data?.items ?? []}
              pagination={false}
              expandable={{
                rowExpandable: (r) => negativesOf(r.recordId).length > 0,
                expandedRowRender: (r) => (
                  <Table<Schemas['BillingRecord']>
                    rowKey="recordId"
                    size="small"
                    pagination={false}
                    dataSource={negativesOf(r.recordId)}
                    columns={[
                      { title: t('field.recordId'), dataIndex: 'recordId' },
                      {
                        title: t('apply.negativeKind'),
                        dataIndex: 'kind',
                        render: (k: string) => t(k === 'refund' ? 'apply.refund' : 'apply.adjustment'),
                      },
                      { title: t('field.paidAt'), dataIndex: 'paidAt', render: (v: string) => chinaTime(v) },
                      { title: t('field.amount'), dataIndex: 'cashAmount', align: 'right', render: yuan },
                    ]}
                  />
                ),
              }}
              rowSelection={{
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys.map(String)),
                getCheckboxProps: (r) => ({ 'aria-label': r.recordId }),
              }}
              columns={[
                { title: t('field.recordId'), dataIndex: 'recordId' },
                { title: t('field.product'), dataIndex: 'productName' },
                { title: t('field.period'), dataIndex: 'period' },
                { title: t('field.entity'), dataIndex: 'entity', render: entityName },
                { title: t('field.taxRate'), dataIndex: 'taxRate', render: taxRate },
                { title: t('field.paidAt'), dataIndex: 'paidAt', render: (v: string) => chinaTime(v) },
                {
                  title: t('apply.negatives'),
                  dataIndex: 'negativesAmount',
                  align: 'right',
                  render: (v?: number) => (v ? yuan(v) : ''),
                },
                {
                  title: t('field.invoiceableAmount'),
                  dataIndex: 'invoiceableAmount',
                  align: 'right',
                  render: yuan,
                },
              ]}
            />
          )}
        </Card>
        <Card title={t('apply.titleAndDelivery')} style={{ marginTop: 16 }}>
          <Form<Values>
            form={form}
            layout="vertical"
            initialValues={{ medium: 'electronic' }}
            style={{ maxWidth: 560 }}
          >
            {mode === 'amount' && (
              <Form.Item
                name="amountYuan"
                label={t('apply.amount')}
                rules={[
                  { required: true, message: t('apply.amountRequired') },
                  {
                    validator: (_, v: string | undefined) =>
                      v === undefined || v === '' || fenFromYuan(v) !== undefined
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('apply.amountInvalid'))),
                  },
                ]}
              >
                <Input prefix="¥" inputMode="decimal" />
              </Form.Item>
            )}
            <Form.Item
              name="titleId"
              label={t('field.title')}
              rules={[{ required: true, message: t('apply.titleRequired') }]}
            >
              <Select
                options={approvedTitles.map((title) => ({
                  value: title.titleId,
                  label: `${title.name} · ${t(`titleType.${title.type}`)}`,
                }))}
              />
            </Form.Item>
            <Form.Item name="medium" label={t('field.medium')}>
              <Radio.Group>
                <Radio value="electronic">{t('medium.electronic')}</Radio>
                <Radio value="paper">{t('medium.paper')}</Radio>
              </Radio.Group>
            </Form.Item>
            {medium === 'electronic' ? (
              <Form.Item name="email" label={t('field.email')} rules={[{ required: true, type: 'email' }]}>
                <Input type="email" autoComplete="email" />
              </Form.Item>
            ) : (
              <Form.Item name="addressId" label={t('field.address')} rules={[{ required: true }]}>
                <Select
                  options={(addresses.data?.items ?? []).map((a) => ({
                    value: a.addressId,
                    label: `${a.recipient} ${a.province}${a.city}${a.district}${a.street}`,
                  }))}
                />
              </Form.Item>
            )}
          </Form>
        </Card>
        <Card style={{ marginTop: 16 }}>
          <Space>
            <Typography.Text data-testid="selection-total">
              {mode === 'amount'
                ? t('apply.footerAmount')
                : t('apply.footerSelected', { count: selected.length, amount: yuan(selectedTotal) })}
            </Typography.Text>
            <Button
              type="primary"
              loading={busy}
              disabled={mode !== 'amount' && selected.length === 0}
              onClick={() => void onPreview()}
            >
              {t('apply.preview')}
            </Button>
          </Space>
        </Card>
      </div>
      {preview && (
        <Card title={t('apply.stepConfirm')}>
          <Alert type="info" title={t('apply.previewNote')} style={{ marginBottom: 16 }} />
          <Table<Schemas['ApplicationPreview']['invoices'][number]>
            rowKey={(r) => `${r.entity}|${r.taxRate}`}
            pagination={false}
            size="small"
            dataSource={preview.result.invoices}
            expandable={{
              expandedRowRender: (invoice) => (
                <Table
                  rowKey={(line) => `${line.itemName}|${line.specification}`}
                  size="small"
                  pagination={false}
                  dataSource={invoice.lines}
                  columns={[
                    { title: t('field.item'), dataIndex: 'itemName' },
                    { title: t('field.specification'), dataIndex: 'specification' },
                    { title: t('field.total'), dataIndex: 'total', align: 'right', render: yuan },
                  ]}
                />
              ),
            }}
            columns={[
              { title: t('field.entity'), dataIndex: 'entity', render: entityName },
              { title: t('field.taxRate'), dataIndex: 'taxRate', render: taxRate },
              {
                title: t('field.amountExcludingTax'),
                dataIndex: 'amountExcludingTax',
                align: 'right',
                render: yuan,
              },
              { title: t('field.tax'), dataIndex: 'taxAmount', align: 'right', render: yuan },
              { title: t('field.amount'), dataIndex: 'amount', align: 'right', render: yuan },
            ]}
          />
          <Descriptions column={1} style={{ marginTop: 16 }}>
            <Descriptions.Item label={t('field.title')}>
              {approvedTitles.find((title) => title.titleId === preview.body.titleId)?.name ??
                preview.body.titleId}
            </Descriptions.Item>
            <Descriptions.Item label={t('field.medium')}>
              {t(`medium.${preview.body.delivery.medium}`)} ·{' '}
              {preview.body.delivery.medium === 'electronic'
                ? preview.body.delivery.email
                : (() => {
                    const a = addresses.data?.items.find(
                      (x) => x.addressId === preview.body.delivery.addressId,
                    );
                    return a ? `${a.recipient} ${a.province}${a.city}${a.district}${a.street}` : '';
                  })()}
            </Descriptions.Item>
            <Descriptions.Item label={t('field.total')}>
              <strong data-testid="preview-total">{yuan(preview.result.total)}</strong>
            </Descriptions.Item>
          </Descriptions>
          <Space>
            <Button onClick={() => setPreview(undefined)}>{t('common.back')}</Button>
            <Button type="primary" loading={busy} onClick={() => void onSubmit()}>
              {t('apply.submit')}
            </Button>
          </Space>
        </Card>
      )}
    </Space>
  );
}
