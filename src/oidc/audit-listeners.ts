// Owns: the audit events of things oidc-provider does on its own endpoints: a sign-out at
// /session/end (RP-initiated logout, or the account area's "Sign out"). The provider emits it
// after its own writes (through its adapter, outside any transaction of ours), without waiting
// for listeners: the event is written right after, and a failure to write it is logged, never
// turned into the answer. (oidc-provider 9 emits no event for a successful /token/revocation.)
import type { Provider } from 'oidc-provider';
import type { Logger } from 'pino';
import { originOf, recordAudit, type AuditEvent } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';

type ListenerDeps = { db: Db; log: Logger };

export function listenForAuditEvents(provider: Provider, deps: ListenerDeps): void {
  const write = (event: AuditEvent) => {
    recordAudit(deps.db, event).catch((err: unknown) => deps.log.warn({ err, type: event.type }, 'audit event not recorded'));
  };

  provider.on('end_session.success', (ctx) => {
    const sub = ctx.oidc.session?.accountId;
    if (!sub) return;
    // `logout` (the confirm form's default) ends the browser session; without it only the app's part.
    const everywhere = Boolean(ctx.oidc.params?.['logout']);
    write({ type: 'sign_out', accountSub: sub, clientId: ctx.oidc.client?.clientId ?? null, origin: originOf(ctx), details: { scope: everywhere ? 'session' : 'app' } });
  });
}
