/**
 * The console's security headers, one definition for CloudFront's response headers policy and
 * the local gateway that serves web/dist next to /v1.
 */

/** Content-Security-Policy: only the console's own origin (and, deployed, Cognito's token endpoint). */
export function consoleContentSecurityPolicy(cognitoOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Ant Design writes its component styles into <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${cognitoOrigin ? ` ${cognitoOrigin}` : ''}`,
    "object-src 'none'",
    // The invoice preview shows the downloaded PDF (an object URL) in a frame.
    "frame-src 'self' blob:",
    "base-uri 'self'",
    `form-action 'self'${cognitoOrigin ? ` ${cognitoOrigin}` : ''}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

export const HSTS_SECONDS = 63_072_000; // two years
