// Owns: the page oidc-provider shows when a browser request fails (bad client, bad redirect
// URI, expired interaction). Never shows a stack trace; never reflects unescaped input.
import type { KoaContextWithOIDC } from 'oidc-provider';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export async function renderOidcError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
): Promise<void> {
  ctx.type = 'html';
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign-in problem</title></head><body><main><h1>Something went wrong</h1><p>${escape(out.error_description ?? out.error)}</p><p><a href="/">Back</a></p></main></body></html>`;
}
