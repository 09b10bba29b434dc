// Owns: security headers common to every response. Pages add their own CSP (see views).
import type { Middleware } from 'koa';

// Neither middleware is async: every request passes both, and an async wrapper would add a
// promise to each.
export function securityHeaders(opts: { https: boolean }): Middleware {
  const headers: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ...(opts.https ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as [string, string]] : []),
  ];
  return (ctx, next) => {
    // On Node's response directly: Koa's ctx.set only adds a delegating step per header.
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    return next();
  };
}

/**
 * With an https issuer every real request reached us through TLS (terminated by our proxy),
 * so every cookie must be Secure even when a proxy forgets X-Forwarded-Proto. Koa and
 * oidc-provider both decide that from the request's socket, so that is where it is said.
 */
export function httpsOnly(): Middleware {
  return (ctx, next) => {
    (ctx.req.socket as { encrypted?: boolean }).encrypted = true;
    return next();
  };
}
