import { ensureDocuments, toDocument } from '#adapters/invoice-documents';
import { recordIssuedInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import {
  type InvoiceDraft,
  type IssueAnswer,
  type RequestStatus,
  type TaxPlatform,
  TaxPlatformRefused,
  TaxPlatformUnavailable,
} from '#domain/tax-platform';

/** How long one request to the provider may take before it counts as unanswered (retried). */
const REQUEST_TIMEOUT_MS = 10_000;

type ProviderAnswer =
  | { status: 'issued'; invoiceNumber: string; issuedAt: string }
  | { status: 'pending' }
  | { status: 'refused'; reason: string };

/**
 * A provider reached over HTTP (`invoice:taxPlatform` = its base URL), as docs/tax-platform.md
 * describes: `PUT <base>/invoices/<invoiceId>` asks for the invoice (the id is the idempotency
 * key: asking again answers for the same request), `GET <base>/invoices/<invoiceId>` reads its
 * state. The provider assigns the 20-digit number; an `issued` answer is recorded here under that
 * number (refused if the number already names another invoice) and its documents are rendered.
 * 5xx, 429, a network error, a slow or a malformed answer throw TaxPlatformUnavailable (retried).
 */
export function httpPlatform(baseUrl: string): TaxPlatform {
  const base = baseUrl.replace(/\/+$/, '');
  const request = async (method: 'PUT' | 'GET', invoiceId: string, body?: unknown) => {
    const url = `${base}/invoices/${encodeURIComponent(invoiceId)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'idempotency-key': invoiceId },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new TaxPlatformUnavailable(`${method} ${invoiceId}: ${(error as Error).message}`);
    }
    if (response.status === 404 && method === 'GET') return undefined;
    const text = await response.text().catch(() => '');
    if (response.status >= 500 || response.status === 429)
      throw new TaxPlatformUnavailable(`${method} ${invoiceId}: HTTP ${response.status}`);
    const answer = parseAnswer(text);
    if (response.status === 409 || response.status === 422 || answer?.status === 'refused')
      return {
        status: 'refused',
        reason: answer?.status === 'refused' ? answer.reason : `HTTP ${response.status}`,
      } as const;
    if (!answer || response.status >= 300)
      throw new TaxPlatformUnavailable(`${method} ${invoiceId}: unexpected answer HTTP ${response.status}`);
    return answer;
  };

  const issue = async (draft: InvoiceDraft): Promise<IssueAnswer> => {
    const answer = (await request('PUT', draft.invoiceId, requestBody(draft)))!;
    if (answer.status !== 'issued') return answer;
    const recorded = await recordIssuedInvoice({
      ...draft,
      invoiceNumber: answer.invoiceNumber,
      issuedAt: answer.issuedAt,
    });
    if (recorded === 'number-taken') {
      logger.error('tax platform assigned a number already used', {
        invoiceId: draft.invoiceId,
        invoiceNumber: answer.invoiceNumber,
      });
      throw new TaxPlatformRefused(`number ${answer.invoiceNumber} already names another invoice`);
    }
    return { status: 'issued', invoice: await ensureDocuments(recorded) };
  };

  return {
    issue,
    issueRedLetter: (draft) => issue(draft),
    async status(invoiceId): Promise<RequestStatus> {
      return (await request('GET', invoiceId))?.status ?? 'unknown';
    },
  };
}

/** What the provider is asked to issue: the document's fields, without number and issue instant. */
function requestBody(draft: InvoiceDraft) {
  const {
    invoiceNumber: _n,
    issuedAt: _i,
    ...document
  } = toDocument({
    ...draft,
    invoiceNumber: '',
    issuedAt: '',
  });
  return { requestId: draft.invoiceId, entity: draft.entity, ...document };
}

function parseAnswer(text: string): ProviderAnswer | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (body?.status === 'pending') return { status: 'pending' };
  if (body?.status === 'refused') return { status: 'refused', reason: String(body.reason ?? 'refused') };
  if (
    body?.status === 'issued' &&
    typeof body.invoiceNumber === 'string' &&
    /^\d{20}$/.test(body.invoiceNumber) &&
    typeof body.issuedAt === 'string' &&
    !Number.isNaN(Date.parse(body.issuedAt))
  )
    return {
      status: 'issued',
      invoiceNumber: body.invoiceNumber,
      issuedAt: new Date(body.issuedAt).toISOString(),
    };
  return undefined;
}
