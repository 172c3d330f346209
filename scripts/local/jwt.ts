/**
 * Local stand-in for Cognito ID tokens: HS256 JWTs signed with a per-checkout secret. The
 * claims mirror what the Cognito user-pool authorizer hands to Lambda (`custom:accountId`,
 * `cognito:groups`), so handlers cannot tell the difference.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';

export const LOCAL_ISSUER = 'local-invoice-service';
const SECRET_FILE = 'jwt-secret';
const SECRET_BYTES = 32;

/**
 * The secret in `<dataDir>/jwt-secret` (base64url text, mode 0600), created on first use. It is
 * kept by `--fresh`, so tokens printed earlier stay valid.
 */
export function loadOrCreateJwtSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, SECRET_FILE);
  const existing = readSecret(path);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(SECRET_BYTES);
  try {
    // 'wx': when two processes race (npm start and npm run token), the first file wins.
    writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return new Uint8Array(secret);
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readSecret(path) : undefined;
    if (raced === undefined) throw error;
    return raced;
  }
}

function readSecret(path: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = Buffer.from(text, 'base64url');
  if (secret.length < SECRET_BYTES) {
    throw new Error(`${path} does not hold a ${SECRET_BYTES}-byte secret; delete it to create a new one.`);
  }
  return new Uint8Array(secret);
}

export interface LocalTokenOptions {
  accountId: string;
  groups?: string[];
  /** A jose time span ('12h', '30m') or seconds. Default '12h'. */
  expiresIn?: string | number;
  /** Defaults to a UUID derived from accountId and groups: the same caller keeps the same `sub`. */
  sub?: string;
}

/** An ID-token-shaped JWT the local API gateway accepts. */
export async function signLocalToken(secret: Uint8Array, options: LocalTokenOptions): Promise<string> {
  const groups = options.groups?.filter((g) => g !== '');
  const claims: Record<string, unknown> = {
    token_use: 'id',
    'custom:accountId': options.accountId,
  };
  if (groups !== undefined && groups.length > 0) claims['cognito:groups'] = groups;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? stableUuid(`${options.accountId}|${[...(groups ?? [])].sort().join(',')}`))
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(secret);
}

/** A version-8 (custom) UUID from a SHA-256 of the name. */
function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
