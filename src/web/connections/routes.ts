// Owns: the social sign-in routes. Thin: the connections room judges everything.
//   GET  /interaction/:uid/connections/:id      leave for the upstream (a plain link: no JS)
//   GET|POST /connections/:id/callback          the upstream's answer (POST: Apple's form_post)
//   GET|POST /interaction/:uid/connections/continue   finish inside the same OIDC interaction
//   GET  /account/sign-in-methods (+ /:id/link, POST /:id/unlink)   the account area's links
// The callback cannot finish the interaction itself: oidc-provider's interaction cookie is
// scoped to /interaction/:uid, and the callback URL is fixed (registered at the upstream). So
// it exchanges the code, keeps the answer on the attempt, and sends the browser (303) into
// /interaction/:uid/connections/continue, where the interaction is loaded as usual.
import crypto from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { getAccount, hasPassword, verifyPassword } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import {
  answeredAttempt,
  AttemptUsedError,
  completeFederatedSignIn,
  enabledConnections,
  findConnectionRow,
  handleCallback,
  linkIdentity,
  MARKS,
  resolveSignIn,
  signInMethods,
  waysIn,
  startAttempt,
  unlinkIdentity,
  UpstreamError,
  type Attempt,
  type ConnectionErrorCode,
  type ConnectionRow,
  type UpstreamIdentity,
} from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import { translator } from '../../i18n/i18n.ts';
import type { Translate } from '../../i18n/keys.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';
import { csrfToken } from '../../security/csrf.ts';
import { signedIn, type SignedIn } from '../account-area/current-session.ts';
import { interactionPath, loadInteraction, type LoadedInteraction } from '../interaction/interaction-state.ts';
import { completeSignIn } from '../interaction/sign-in.ts';
import { assetHref } from '../pages/assets.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formField, readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';
import { waitText } from '../pages/wait-text.ts';
import { connectionErrorText, errorCodeOf } from './buttons.ts';

export type ConnectionsRouteDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'runtime'>;

/** The browser binding of callbacks: random, HttpOnly, this browser session only. */
const BROWSER_COOKIE = 'bwid_conn';
const proofForm = z.object({ attempt: formField, password: formField });

function browserKey(ctx: Context, create: boolean): string | undefined {
  const existing = ctx.cookies.get(BROWSER_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  if (!create) return undefined;
  const key = crypto.randomBytes(32).toString('base64url');
  ctx.cookies.set(BROWSER_COOKIE, key, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
  return key;
}

const see = (ctx: Context, to: string) => {
  ctx.status = 303;
  ctx.redirect(to);
};
const loginWithError = (uid: string, code: ConnectionErrorCode) => `${interactionPath(uid, '/login')}?connection_error=${code}`;
const methodsWith = (what: string) => `/account/sign-in-methods?${what}`;

export function connectionRoutes(deps: ConnectionsRouteDeps): Router {
  const router = new Router();

  /** The "this answer belongs to no sign-in of this browser" page. */
  function lost(ctx: Context) {
    renderPage(ctx, 'message', { titleKey: 'connections:lost.title', messageKey: 'connections:lost.message', backHref: '/account', backKey: 'connections:lost.back' }, { status: 400 });
  }

  function sendBack(ctx: Context, attempt: Attempt | undefined, code: ConnectionErrorCode) {
    if (attempt?.purpose === 'sign_in' && attempt.interaction_uid) return see(ctx, loginWithError(attempt.interaction_uid, code));
    if (attempt?.purpose === 'link') return see(ctx, methodsWith(`error=${code}`));
    lost(ctx);
  }

  // ---- sign-in inside an OIDC interaction ----

  router.get('/interaction/:uid/connections/:id', async (ctx) => {
    if (ctx.params['id'] === 'continue') return continueSignIn(ctx);
    const loaded = await loadInteraction(deps, ctx);
    if (!loaded) return lost(ctx);
    const connection = await findConnectionRow(deps.db, String(ctx.params['id']));
    if (!connection?.enabled) return see(ctx, loginWithError(loaded.uid, 'disabled'));
    try {
      const url = await startAttempt(deps, { connection, browserKey: browserKey(ctx, true) ?? '', purpose: 'sign_in', interactionUid: loaded.uid });
      see(ctx, url.href);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      deps.log.warn({ err, connection: connection.id }, 'connection upstream unavailable');
      see(ctx, loginWithError(loaded.uid, err.reason === 'unavailable' ? 'unavailable' : 'failed'));
    }
  });

  async function callback(ctx: Context) {
    const body = (ctx.request as { body?: unknown }).body;
    // Apple posts its answer; its `user` (first visit only) carries the name.
    const params = new URLSearchParams();
    const source = ctx.method === 'POST' && body && typeof body === 'object' ? (body as Record<string, unknown>) : (ctx.query as Record<string, unknown>);
    for (const [k, v] of Object.entries(source)) if (typeof v === 'string' && k !== 'user') params.set(k, v);
    let appleUser: unknown;
    if (typeof source['user'] === 'string') {
      try {
        appleUser = JSON.parse(source['user']);
      } catch {
        appleUser = undefined;
      }
    }
    const connectionId = String(ctx.params['id']);
    const outcome = await handleCallback(deps, { connectionId, browserKey: browserKey(ctx, false), params, appleUser });
    if (!outcome.ok) {
      if (outcome.exchanged && outcome.attempt) {
        await recordAudit(deps.db, { type: 'sign_in', outcome: 'failure', accountSub: outcome.attempt.account_id, origin: originOf(ctx), details: { method: 'social', reason: 'upstream_error', connection_id: connectionId, upstream: outcome.code } });
      }
      return sendBack(ctx, outcome.attempt, outcome.code);
    }
    const { attempt } = outcome;
    if (attempt.purpose === 'link') return see(ctx, `/account/sign-in-methods/continue?attempt=${attempt.id}`);
    see(ctx, `${interactionPath(attempt.interaction_uid ?? '', '/connections/continue')}?attempt=${attempt.id}`);
  }
  router.get('/connections/:id/callback', callback);
  // A cross-site form post carries no SameSite=Lax cookie: send the browser back to ourselves
  // as a GET (a top-level navigation, which does carry it). The code is single-use and PKCE-bound.
  router.post('/connections/:id/callback', formBody(), (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const params = new URLSearchParams();
    if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') params.set(k, v);
    see(ctx, `/connections/${encodeURIComponent(String(ctx.params['id']))}/callback?${params}`);
  });

  type Pending = { loaded: LoadedInteraction; attempt: Attempt & { identity: UpstreamIdentity }; connection: ConnectionRow; t: Translate };

  async function pending(ctx: Context, attemptId: unknown): Promise<Pending | undefined> {
    const loaded = await loadInteraction(deps, ctx);
    if (!loaded) {
      lost(ctx);
      return undefined;
    }
    const attempt = await answeredAttempt(deps.db, attemptId, browserKey(ctx, false));
    const connection = attempt && (await findConnectionRow(deps.db, attempt.connection_id));
    if (!attempt || attempt.purpose !== 'sign_in' || attempt.interaction_uid !== loaded.uid || !connection) {
      see(ctx, loginWithError(loaded.uid, 'expired'));
      return undefined;
    }
    return { loaded, attempt, connection, t: translator(loaded.locale) };
  }

  async function finish(ctx: Context, p: Pending, provenAccountId?: string) {
    try {
      const done = await completeFederatedSignIn(deps.db, {
        attemptId: p.attempt.id,
        connection: p.connection,
        identity: p.attempt.identity,
        locale: p.loaded.locale,
        origin: originOf(ctx),
        clientId: p.loaded.client.id,
        ...(provenAccountId ? { provenAccountId } : {}),
      });
      await completeSignIn(deps, ctx, p.loaded, {
        accountId: done.accountId,
        amr: provenAccountId ? ['fed', 'pwd'] : ['fed'],
        remember: false,
        method: 'social',
        details: { connection_id: p.connection.id, connection_type: p.connection.type, ...(done.created ? { new_account: true } : {}), ...(provenAccountId ? { linked: true } : {}) },
      });
    } catch (err) {
      if (!(err instanceof AttemptUsedError)) throw err;
      see(ctx, loginWithError(p.loaded.uid, 'expired'));
    }
  }

  async function showProof(ctx: Context, p: Pending, accountId: string, contact: string, opts: { alert?: string; status?: number } = {}) {
    renderPage(
      ctx,
      'connections-proof',
      {
        titleKey: 'connections:proof.title',
        csrf: csrfToken(ctx, `interaction:${p.loaded.uid}`),
        action: interactionPath(p.loaded.uid, '/connections/continue'),
        attempt: p.attempt.id,
        connectionName: p.connection.name,
        contact,
        hasPassword: await hasPassword(deps, accountId),
        loginHref: interactionPath(p.loaded.uid, '/login'),
        alert: opts.alert,
      },
      { status: opts.status ?? 200, formAction: p.loaded.client.redirectSources, scripts: ['pw.js'] },
    );
  }

  async function continueSignIn(ctx: Context) {
    const p = await pending(ctx, ctx.query['attempt']);
    if (!p) return;
    const r = await resolveSignIn(deps.db, p.connection.id, p.attempt.identity);
    if (r.kind === 'disabled') return see(ctx, loginWithError(p.loaded.uid, 'disabled'));
    if (r.kind === 'needs_proof') return showProof(ctx, p, r.accountId, r.contact);
    await finish(ctx, p);
  }

  router.post(
    '/interaction/:uid/connections/continue',
    formBody(),
    requireCsrf({ bind: (ctx) => `interaction:${String(ctx.params['uid'])}`, back: (ctx) => interactionPath(String(ctx.params['uid'])) }),
    async (ctx) => {
      const form = readForm(ctx, proofForm);
      const p = await pending(ctx, form?.attempt);
      if (!p || !form) return;
      const r = await resolveSignIn(deps.db, p.connection.id, p.attempt.identity);
      if (r.kind !== 'needs_proof') return continueSignIn(Object.assign(ctx, { query: { attempt: p.attempt.id } }));
      const holder = await getAccount(deps, r.accountId);
      const username = holder?.email ?? holder?.phone_number;
      if (!form.password || !username) return showProof(ctx, p, r.accountId, r.contact, { alert: p.t('connections:proof.wrong'), status: 400 });
      const result = await verifyPassword(deps, { username, password: form.password, ip: ctx.ip });
      if (!result.ok) {
        if (result.error === 'rate_limited') {
          ctx.set('Retry-After', String(Math.ceil(result.retryAfterSeconds)));
          return showProof(ctx, p, r.accountId, r.contact, { alert: waitText(p.t, result.retryAfterSeconds), status: 429 });
        }
        return showProof(ctx, p, r.accountId, r.contact, { alert: p.t('connections:proof.wrong'), status: 401 });
      }
      if (result.account.sub !== r.accountId) return showProof(ctx, p, r.accountId, r.contact, { alert: p.t('connections:proof.wrong'), status: 401 });
      await finish(ctx, p, r.accountId);
    },
  );

  // ---- the account area: ways to sign in ----

  async function who(ctx: Context): Promise<{ me: SignedIn; t: Translate } | undefined> {
    const me = await signedIn(deps, ctx);
    ctx.state['locale'] = negotiateLocale(ctx, undefined, me?.account.locale);
    if (!me) {
      see(ctx, '/login');
      return undefined;
    }
    return { me, t: translator(String(ctx.state['locale'])) };
  }
  const bindOf = (me: SignedIn) => `account:${me.session.uid}`;
  const linkToken = (ctx: Context, me: SignedIn, id: string) => csrfToken(ctx, `connections-link:${me.session.uid}:${id}`);

  router.get('/account/sign-in-methods', async (ctx) => {
    const w = await who(ctx);
    if (!w) return;
    const code = errorCodeOf(ctx.query['error']);
    const named = typeof ctx.query['name'] === 'string' ? ctx.query['name'].slice(0, 100) : '';
    const done = ctx.query['done'];
    const notice =
      done === 'linked' ? w.t('connections:methods.done_linked', { name: named }) : done === 'unlinked' ? w.t('connections:methods.done_unlinked', { name: named }) : done === 'already' ? w.t('connections:methods.done_already', { name: named }) : undefined;
    const alert = ctx.query['error'] === 'last_method' ? w.t('connections:errors.last_way_in') : ctx.query['error'] === 'other_linked' ? w.t('connections:errors.other_linked', { name: named }) : code ? connectionErrorText(w.t, code) : undefined;
    renderPage(ctx, 'connections-methods', { titleKey: 'connections:methods.title', notice, alert, signInMethods: await methodsView(ctx, w.me, w.t) });
  });

  router.get('/account/sign-in-methods/:id/link', async (ctx) => {
    const w = await who(ctx);
    if (!w) return;
    const id = String(ctx.params['id']);
    const given = Buffer.from(String(ctx.query['t'] ?? ''));
    const expected = Buffer.from(linkToken(ctx, w.me, id));
    // A link carries a token bound to this session and connection: another site cannot make
    // a signed-in browser link an upstream account behind its back.
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return see(ctx, '/account/sign-in-methods');
    const connection = await findConnectionRow(deps.db, id);
    if (!connection?.enabled) return see(ctx, methodsWith('error=disabled'));
    try {
      const url = await startAttempt(deps, { connection, browserKey: browserKey(ctx, true) ?? '', purpose: 'link', accountId: w.me.account.sub });
      see(ctx, url.href);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      see(ctx, methodsWith(`error=${err.reason === 'unavailable' ? 'unavailable' : 'failed'}`));
    }
  });

  router.get('/account/sign-in-methods/continue', async (ctx) => {
    const w = await who(ctx);
    if (!w) return;
    const attempt = await answeredAttempt(deps.db, ctx.query['attempt'], browserKey(ctx, false));
    const connection = attempt && (await findConnectionRow(deps.db, attempt.connection_id));
    if (!attempt || !connection || attempt.purpose !== 'link' || attempt.account_id !== w.me.account.sub) return see(ctx, methodsWith('error=expired'));
    try {
      const r = await linkIdentity(deps.db, { attemptId: attempt.id, accountId: w.me.account.sub, connection, identity: attempt.identity, origin: originOf(ctx) });
      const name = `name=${encodeURIComponent(connection.name)}`;
      if (r === 'linked') return see(ctx, methodsWith(`done=linked&${name}`));
      if (r === 'already_linked') return see(ctx, methodsWith(`done=already&${name}`));
      see(ctx, methodsWith(`error=${r}&${name}`));
    } catch (err) {
      if (!(err instanceof AttemptUsedError)) throw err;
      see(ctx, methodsWith('error=expired'));
    }
  });

  router.post('/account/sign-in-methods/:id/unlink', formBody(), async (ctx) => {
    const w = await who(ctx);
    if (!w) return;
    const guard = requireCsrf({ bind: () => bindOf(w.me), back: () => '/account/sign-in-methods' });
    await guard(ctx, async () => {
      const id = String(ctx.params['id']);
      const connection = await findConnectionRow(deps.db, id);
      const r = await unlinkIdentity(deps.db, { accountId: w.me.account.sub, connectionId: id, origin: originOf(ctx) });
      const name = `name=${encodeURIComponent(connection?.name ?? '')}`;
      if (r === 'last_method') return see(ctx, methodsWith('error=last_method'));
      see(ctx, methodsWith(r === 'unlinked' ? `done=unlinked&${name}` : ''));
    });
  });

  async function methodsView(ctx: Context, me: SignedIn, t: Translate) {
    return signInMethodsView(deps, ctx, me, t, linkToken);
  }

  return router;
}

export type SignInMethodsView = {
  password: boolean;
  /** Whether a passkey signs the account in (managed on /account/passkeys). */
  passkey: boolean;
  /** The verified email address or mobile number a sign-in code reaches, if any. */
  codeEmail: string | undefined;
  codeSms: string | undefined;
  csrf: string;
  linked: { name: string; email: string | null; since: string; mark: string; unlinkAction: string }[];
  linkable: { name: string; href: string; mark: string }[];
};

const dateIn = (lang: string, d: Date) => new Intl.DateTimeFormat(lang === 'sm' ? 'en-NZ' : 'en-GB', { dateStyle: 'medium', timeZone: 'Pacific/Apia' }).format(d);

async function signInMethodsView(
  deps: Pick<Deps, 'db'>,
  ctx: Context,
  me: SignedIn,
  _t: Translate,
  linkToken: (ctx: Context, me: SignedIn, id: string) => string,
): Promise<SignInMethodsView> {
  const lang = String(ctx.state['locale'] ?? 'en');
  const [methods, enabled, ways] = await Promise.all([signInMethods(deps.db, me.account.sub), enabledConnections(deps.db), waysIn(deps.db, me.account.sub)]);
  const linkedIds = new Set(methods.linked.map((l) => l.connectionId));
  // Passkeys and sign-in codes listed by the same rule that guards unlinking (ways-in.ts).
  return {
    password: methods.password,
    passkey: ways.some((w) => w.kind === 'passkey'),
    codeEmail: ways.some((w) => w.kind === 'code' && w.channel === 'email') ? (me.account.email ?? undefined) : undefined,
    codeSms: ways.some((w) => w.kind === 'code' && w.channel === 'sms') ? (me.account.phone_number ?? undefined) : undefined,
    csrf: csrfToken(ctx, `account:${me.session.uid}`),
    linked: methods.linked.map((l) => ({
      name: l.name,
      email: l.email,
      since: dateIn(lang, l.since),
      mark: assetHref(MARKS[l.type as keyof typeof MARKS] ?? 'mark-openid.svg'),
      unlinkAction: `/account/sign-in-methods/${encodeURIComponent(l.connectionId)}/unlink`,
    })),
    linkable: enabled
      .filter((c) => !linkedIds.has(c.id))
      .map((c) => ({ name: c.name, mark: assetHref(MARKS[c.type]), href: `/account/sign-in-methods/${encodeURIComponent(c.id)}/link?t=${linkToken(ctx, me, c.id)}` })),
  };
}

/** For the account page's partial (views/partials/sign-in-methods.ejs). */
export async function accountSignInMethods(deps: Pick<Deps, 'db'>, ctx: Context, me: SignedIn, t: Translate): Promise<SignInMethodsView> {
  return signInMethodsView(deps, ctx, me, t, (c, m, id) => csrfToken(c, `connections-link:${m.session.uid}:${id}`));
}
