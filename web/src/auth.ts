/**
 * Sign-in. Tokens live in this module only (memory): a reload signs out. Deployed, Cognito's
 * managed login with the authorization-code flow and PKCE; locally, the local stack's sign-in
 * endpoint (it exists only there) signs a token for a chosen account and role.
 */

export type ConsoleConfig =
  | { signIn: 'local' }
  | { signIn: 'cognito'; domain: string; clientId: string; redirectUri: string; logoutUri: string };

export interface Session {
  idToken: string;
  accountId: string | undefined;
  groups: string[];
  expiresAt: number;
}

let session: Session | undefined;
let config: Promise<ConsoleConfig> | undefined;
const listeners = new Set<() => void>();

export function loadConfig(): Promise<ConsoleConfig> {
  config ??= fetch('/console-config.json').then(async (response) => {
    if (!response.ok) throw new Error(`console-config.json: ${response.status}`);
    return (await response.json()) as ConsoleConfig;
  });
  return config;
}

export function currentSession(): Session | undefined {
  if (session && session.expiresAt <= Date.now()) session = undefined;
  return session;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(next: Session | undefined): void {
  session = next;
  for (const listener of listeners) listener();
}

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

export function sessionFromToken(idToken: string): Session {
  const claims = decodeClaims(idToken);
  const groups = claims['cognito:groups'];
  return {
    idToken,
    accountId: typeof claims['custom:accountId'] === 'string' ? claims['custom:accountId'] : undefined,
    groups: Array.isArray(groups) ? groups.map(String) : [],
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3_600_000,
  };
}

/** Local stack only: POST /local/sign-in answers a token for the account and groups. */
export async function signInLocally(accountId: string, groups: string[]): Promise<Session> {
  const response = await fetch('/local/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, groups }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  const { idToken } = (await response.json()) as { idToken: string };
  const next = sessionFromToken(idToken);
  setSession(next);
  return next;
}

// ---- Cognito managed login, authorization code + PKCE ----------------------------------------

const VERIFIER_KEY = 'pkce-verifier';
const STATE_KEY = 'pkce-state';

function randomString(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64Url(data);
}

function base64Url(data: Uint8Array): string {
  return btoa(String.fromCharCode(...data))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Sends the browser to the managed login page. Only the PKCE verifier and state wait in the tab. */
export async function startCognitoSignIn(cfg: Extract<ConsoleConfig, { signIn: 'cognito' }>): Promise<void> {
  const verifier = randomString();
  const state = randomString(16);
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  const url = new URL(`https://${cfg.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: 'openid email',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  window.location.assign(url.toString());
}

/** The redirect back: checks the state, trades the code for tokens (kept in memory). */
export async function finishCognitoSignIn(
  cfg: Extract<ConsoleConfig, { signIn: 'cognito' }>,
  search: URLSearchParams,
): Promise<Session> {
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const state = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  const code = search.get('code');
  if (!code || !verifier || !state || search.get('state') !== state)
    throw new Error('sign-in state mismatch');
  const response = await fetch(`https://${cfg.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cfg.clientId,
      code,
      redirect_uri: cfg.redirectUri,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`token exchange failed: ${response.status}`);
  const tokens = (await response.json()) as { id_token: string };
  const next = sessionFromToken(tokens.id_token);
  setSession(next);
  return next;
}

export async function signOut(): Promise<void> {
  setSession(undefined);
  const cfg = await loadConfig().catch(() => undefined);
  if (cfg?.signIn === 'cognito') {
    const url = new URL(`https://${cfg.domain}/logout`);
    url.search = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.logoutUri }).toString();
    window.location.assign(url.toString());
  }
}

export function isFinance(s: Session | undefined): boolean {
  return s?.groups.includes('finance') ?? false;
}
