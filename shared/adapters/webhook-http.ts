import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, isAllowedAddress, RESPONSE_EXCERPT_CHARS, urlProblem } from '#domain/webhooks';

/**
 * The network side of webhooks: resolving an endpoint's host and checking every address it
 * resolves to (server-side request forgery), and POSTing one delivery to the very address
 * that was checked, so a name that resolves elsewhere a moment later (DNS rebinding) cannot
 * redirect the request. Redirects are not followed; the body kept is a short excerpt.
 */

export class UrlNotAllowed extends Error {}

/** The addresses the URL's host resolves to, all of them allowed; throws UrlNotAllowed otherwise. */
export async function resolveAllowed(url: URL, allowLoopback: boolean): Promise<string[]> {
  const problem = urlProblem(url, allowLoopback);
  if (problem) throw new UrlNotAllowed(problem);
  const host = hostOf(url);
  if (isIP(host) !== 0) return [host];
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new UrlNotAllowed('its host name does not resolve');
  }
  if (addresses.length === 0) throw new UrlNotAllowed('its host name does not resolve');
  if (!addresses.every((a) => isAllowedAddress(a.address, allowLoopback)))
    throw new UrlNotAllowed('its host resolves to a private, loopback, link-local or reserved address');
  return addresses.map((a) => a.address);
}

export interface PostResult {
  statusCode?: number;
  durationMs: number;
  error?: string;
  responseExcerpt?: string;
}

/** POSTs `body` to the endpoint at one checked address; never throws. */
export async function postWebhook(
  url: URL,
  address: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const family = isIP(address);
  // The connection goes to the checked address whatever the name resolves to now; TLS still
  // verifies the certificate against the host name (servername).
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return new Promise<PostResult>((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        lookup: pinned,
        servername: isIP(hostOf(url)) === 0 ? hostOf(url) : undefined,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'invoice-service-webhooks/1',
        },
        timeout: timeoutMs,
      },
      (res) => {
        let excerpt = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (excerpt.length < RESPONSE_EXCERPT_CHARS) excerpt += chunk;
          else res.destroy();
        });
        const done = () =>
          resolve({
            statusCode: res.statusCode,
            durationMs: elapsed(),
            responseExcerpt: excerpt ? excerpt.slice(0, RESPONSE_EXCERPT_CHARS) : undefined,
          });
        res.once('end', done);
        res.once('close', done);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => resolve({ durationMs: elapsed(), error: error.message.slice(0, 200) }));
    req.once('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
