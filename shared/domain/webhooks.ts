import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { type DomainEvent, EVENT_TYPES, type EventType } from '#domain/domain-events';

/**
 * Customer webhooks (issue 14, docs/webhooks.md): the rules, no I/O. An account registers up
 * to MAX_WEBHOOKS endpoints, each subscribed to some event types (or all, `*`); every domain
 * event of the account is POSTed to each enabled endpoint subscribed to its type, signed with
 * the endpoint's secret, and retried with exponential backoff for RETRY_WINDOW_MS.
 */

export const MAX_WEBHOOKS = 10;
/** Every event type, current and future. */
export const ALL_EVENTS = '*';
/** A delivery is retried until this long after its first attempt, then given up. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** The longest wait between two attempts of one delivery. */
export const MAX_RETRY_DELAY_MS = 3600_000;
/** An endpoint failing every attempt this long is disabled, whatever the count. */
export const DISABLE_AFTER_FAILING_MS = RETRY_WINDOW_MS;
/** Default and longest overlap of a rotated secret: the old one still signs meanwhile. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 24 * 3600;
/** What a delivery attempt keeps of the response body. */
export const RESPONSE_EXCERPT_CHARS = 200;
/** Receivers should refuse a timestamp further than this from their clock (replays). */
export const REPLAY_WINDOW_SECONDS = 300;

export const SIGNATURE_VERSION = 'v1';
export const HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Webhook {
  accountId: string;
  webhookId: string;
  url: string;
  /** Event types, or [ALL_EVENTS]. */
  events: string[];
  description?: string;
  enabled: boolean;
  secret: string;
  /** After a rotation, the replaced secret signs too until previousSecretExpiresAt. */
  previousSecret?: string;
  previousSecretExpiresAt?: string;
  secretRotatedAt?: string;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** The first failed attempt since the last success. */
  failingSince?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  disabledAt?: string;
  disabledReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  at: string;
  /** The HTTP status the endpoint answered; absent when no answer came. */
  statusCode?: number;
  durationMs: number;
  error?: string;
  /** The first RESPONSE_EXCERPT_CHARS characters of the response body. */
  responseExcerpt?: string;
}

export interface Delivery {
  deliveryId: string;
  webhookId: string;
  accountId: string;
  eventId: string;
  eventType: string;
  /** The exact bytes POSTed: the DomainEvent JSON. */
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** When the current series of attempts started (creation or the last resend). */
  firstAttemptAt: string;
  nextAttemptAt?: string;
  createdAt: string;
}

export const isSubscribed = (webhook: Pick<Webhook, 'events'>, type: string): boolean =>
  webhook.events.includes(ALL_EVENTS) || webhook.events.includes(type);

/** Which endpoints an event goes to: only its own account's, enabled and subscribed ones. */
export function recipients<W extends Webhook>(event: DomainEvent, webhooks: readonly W[]): W[] {
  if (!event.accountId) return [];
  return webhooks.filter((w) => w.accountId === event.accountId && w.enabled && isSubscribed(w, event.type));
}

export const eventTypes = Object.keys(EVENT_TYPES) as EventType[];

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, one per secret in force, joined by a
 * space: during a rotation's overlap both the new and the old secret sign.
 */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return secrets.map((secret) => `${SIGNATURE_VERSION}=${sign(secret, timestamp, body)}`).join(' ');
}

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The receiver's check (docs/webhooks.md has the same in a few lines): some `v1=` signature of
 * the header matches the body and timestamp, and the timestamp is within the replay window.
 */
export function verifySignature(input: {
  secret: string;
  body: string;
  timestamp: string;
  signature: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const timestamp = Number(input.timestamp);
  if (!Number.isInteger(timestamp)) return false;
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? REPLAY_WINDOW_SECONDS))
    return false;
  const expected = Buffer.from(sign(input.secret, timestamp, input.body), 'hex');
  return input.signature.split(' ').some((part) => {
    const [version, hex] = part.split('=');
    if (version !== SIGNATURE_VERSION || !hex || !/^[0-9a-f]{64}$/.test(hex)) return false;
    return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
}

/** The secrets that sign at `now`: the current one, and the previous one during its overlap. */
export function signingSecrets(webhook: Webhook, now: Date): string[] {
  const previousValid =
    webhook.previousSecret &&
    webhook.previousSecretExpiresAt &&
    Date.parse(webhook.previousSecretExpiresAt) > now.getTime();
  return previousValid ? [webhook.secret, webhook.previousSecret!] : [webhook.secret];
}

/**
 * After `failedAttempts` failed attempts of a delivery whose series started at `firstAttemptAt`:
 * the next attempt `base · 2^(n−1)` later, at most MAX_RETRY_DELAY_MS, or none once that would
 * fall beyond RETRY_WINDOW_MS after the first attempt (the delivery has failed).
 */
export function nextAttemptAt(
  firstAttemptAt: Date,
  failedAttempts: number,
  now: Date,
  baseDelayMs: number,
): Date | undefined {
  const delay = Math.min(baseDelayMs * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_DELAY_MS);
  const next = new Date(now.getTime() + delay);
  return next.getTime() - firstAttemptAt.getTime() > RETRY_WINDOW_MS ? undefined : next;
}

/**
 * An endpoint is disabled once `disableAfterFailures` attempts in a row failed, or it has
 * failed every attempt for DISABLE_AFTER_FAILING_MS (24 h), whichever comes first.
 */
export function shouldDisable(
  webhook: Pick<Webhook, 'consecutiveFailures' | 'failingSince'>,
  now: Date,
  disableAfterFailures: number,
): string | undefined {
  if (webhook.consecutiveFailures >= disableAfterFailures)
    return `${webhook.consecutiveFailures} consecutive failed deliveries`;
  if (webhook.failingSince && now.getTime() - Date.parse(webhook.failingSince) >= DISABLE_AFTER_FAILING_MS)
    return 'every delivery failed for 24 hours';
  return undefined;
}

/**
 * A delivery's id, derived from the event and the endpoint, so a duplicated event yields the
 * same delivery (written once), and prefixed by the event's time so ids sort newest last.
 */
export function deliveryIdFor(event: Pick<DomainEvent, 'id' | 'occurredAt'>, webhookId: string): string {
  const hash = createHash('sha256').update(`${event.id}\n${webhookId}`).digest('hex');
  const at = Date.parse(event.occurredAt);
  const time = (Number.isFinite(at) ? at : 0).toString(36).padStart(9, '0');
  return `dlv_${time}${hash.slice(0, 20)}`;
}

// --- Server-side request forgery -------------------------------------------------------------

/**
 * Addresses a webhook may never reach: private (RFC 1918, unique-local fc00::/7), loopback,
 * link-local (169.254/16 with the cloud metadata endpoint, fe80::/10), carrier-grade NAT,
 * "this network", documentation, benchmarking, multicast and reserved ranges.
 */
const BLOCKED = /* @__PURE__ */ (() => {
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001:db8::', 32],
    ['2002::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ];
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** 127.0.0.0/8 and ::1, which the local stack may allow (`invoice:webhooksAllowLoopback`). */
export function isLoopback(address: string): boolean {
  const v4 = embeddedIpv4(address) ?? address;
  return isIP(v4) === 4 ? v4.startsWith('127.') : address === '::1';
}

/** Whether a webhook may connect to this IP address (`allowLoopback`: the local stack only). */
export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (allowLoopback && isLoopback(address)) return true;
  const v4 = embeddedIpv4(address);
  if (v4) return !BLOCKED.check(v4, 'ipv4');
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`). */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * The URL's own problems, before any name is resolved: https only (http only to a loopback
 * address where loopback is allowed), no user name or password, no IP literal that is not
 * allowed. Answers the reason, or undefined when the URL may be resolved and checked.
 */
export function urlProblem(url: URL, allowLoopback: boolean): string | undefined {
  if (url.username || url.password) return 'must not contain a user name or password';
  const host = hostOf(url);
  const literal = isIP(host) !== 0;
  if (url.protocol === 'http:') {
    if (!(allowLoopback && literal && isLoopback(host))) return 'must use https';
  } else if (url.protocol !== 'https:') return 'must use https';
  if (literal && !isAllowedAddress(host, allowLoopback))
    return 'must not point at a private, loopback, link-local or reserved address';
  if (!literal && (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')))
    return 'must name a public host';
  return undefined;
}

/** The host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
