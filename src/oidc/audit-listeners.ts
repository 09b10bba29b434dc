// Owns: the audit events of things oidc-provider does on its own endpoints: a sign-out at
// /session/end (RP-initiated logout, or the account area's "Sign out"), and an app revoking
// one of its tokens at /token/revocation (RFC 7009). The provider writes through its adapter,
// outside any transaction of ours, so each event is written right after the provider's own
// writes, and a failure to write it is logged, never turned into the answer.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Logger } from 'pino';
import { originOf, recordAudit, type AuditEvent } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';

type ListenerDeps = { db: Db; log: Logger };

/** The models /token/revocation removes, and what the audit log calls each (details.kind). */
const REVOCABLE = { RefreshToken: 'refresh', AccessToken: 'access', ClientCredentials: 'access' } as const;
type Revocable = keyof typeof REVOCABLE;

export function listenForAuditEvents(provider: Provider, deps: ListenerDeps): void {
  const record = (event: AuditEvent) => recordAudit(deps.db, event).catch((err: unknown) => deps.log.warn({ err, type: event.type }, 'audit event not recorded'));
  const write = (event: AuditEvent) => {
    void record(event);
  };

  provider.on('end_session.success', (ctx) => {
    const sub = ctx.oidc.session?.accountId;
    if (!sub) return;
    // `logout` (the confirm form's default) ends the browser session; without it only the app's part.
    const everywhere = Boolean(ctx.oidc.params?.['logout']);
    write({ type: 'sign_out', accountSub: sub, clientId: ctx.oidc.client?.clientId ?? null, origin: originOf(ctx), details: { scope: everywhere ? 'session' : 'app' } });
  });

  // oidc-provider 9 emits no event for /token/revocation, and answers 200 whether or not it
  // removed anything (RFC 7009 2.2: unknown, expired or already revoked tokens; and a public
  // app's try at another app's token, which revocation.allowedPolicy turns down quietly). It
  // sets ctx.oidc.entities[kind] as soon as it finds the token, before that policy, and only
  // then calls token.destroy(), which emits `<model>.destroyed` with the same object. So a
  // revocation is a token that is both the request's entity and destroyed by it.
  const destroyed = new WeakSet<object>();
  const seen = (token: object) => void destroyed.add(token);
  provider.on('refresh_token.destroyed', seen);
  provider.on('access_token.destroyed', seen);
  provider.on('client_credentials.destroyed', seen);

  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'revocation' || ctx.status !== 200) return;
    for (const model of Object.keys(REVOCABLE) as Revocable[]) {
      const token = oidc.entities[model];
      if (!token || !destroyed.has(token)) continue;
      const accountSub = 'accountId' in token && typeof token.accountId === 'string' ? token.accountId : null;
      const clientId = oidc.client?.clientId ?? token.clientId ?? null;
      // Awaited (one insert) so that the event is in before the app hears 200; never the
      // token itself, its id or its grant: only what it was and whose.
      await record({
        type: 'token_revoked',
        accountSub,
        clientId,
        // The app asked (authenticated at this endpoint), not the person.
        actor: { type: 'client', id: clientId },
        origin: originOf(ctx),
        details: { via: 'revocation', kind: REVOCABLE[model], ...(model === 'ClientCredentials' ? { client_credentials: true } : {}) },
      });
    }
  });
}
