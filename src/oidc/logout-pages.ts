// Owns: the RP-initiated logout confirmation page and the "signed out" page, rendered for
// oidc-provider (features.rpInitiatedLogout.logoutSource / postLogoutSuccessSource).
import type { KoaContextWithOIDC } from 'oidc-provider';

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body>${form}<h1>Sign out?</h1><button form="op.logoutForm" name="logout" value="yes">Sign out</button></body></html>`;
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>You are signed out</h1></body></html>';
}
