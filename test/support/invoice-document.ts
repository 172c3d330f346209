import type { InvoiceDocument } from '#domain/invoice-document';

/**
 * A two-line special VAT invoice as the issuing step hands it to the renderer: the sample the
 * PDF tests read back and the rendering benchmark times.
 */
export function sampleInvoiceDocument(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    invoiceNumber: '26332000000123456789',
    kind: 'blue',
    invoiceType: 'enterprise-special',
    issuedAt: '2026-10-31T17:30:00.000Z',
    buyer: {
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00000X',
      registeredAddress: '浙江省杭州市西湖区文三路100号',
      registeredPhone: '0571-88880000',
      bankName: '招商银行杭州分行',
      bankAccount: '571900000000001',
    },
    seller: {
      name: '上海云端信息服务有限公司',
      taxId: '91310115MA1K00000Y',
      address: '上海市浦东新区世纪大道1号',
      phone: '021-66660000',
      bankName: '中国工商银行上海分行',
      bankAccount: '1001200000000000000',
    },
    lines: [
      {
        itemName: '*信息技术服务*云服务费',
        specification: '2026-10',
        unit: '月',
        quantity: 1,
        amountExcludingTax: 6000,
        taxRate: '0.06',
        taxAmount: 360,
      },
      {
        itemName: '*信息技术服务*技术支持服务费',
        specification: 'ORD-20261031-0001',
        unit: '项',
        quantity: 1,
        amountExcludingTax: 4000,
        taxRate: '0.06',
        taxAmount: 240,
      },
    ],
    amountExcludingTax: 10000,
    taxAmount: 600,
    total: 10600,
    taxRate: '0.06',
    remarks: '订单号 ORD-20261031-0001',
    issuer: '张三',
    ...overrides,
  };
}
