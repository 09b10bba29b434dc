// Owns: the console's pages for apps (clients), APIs and signing keys. A new or rotated client
// secret is shown once, on the answer to the POST that made it (never stored for display, never
// in a link). Client logo, policy and terms fields are added at merge by the branding work.
import type Router from '@koa/router';
import { listApis } from '../../apis/apis.ts';
import { createApiResource, createApp, deleteApiResource, rotateAppSecret, rotateKeys, updateApp } from '../../admin/index.ts';
import { ACCOUNT_CLIENT_ID, ClientInputError, getClient, listClients, type ClientView } from '../../clients/clients.ts';
import { ApiInputError } from '../../apis/apis.ts';
import { CLIENT_TYPES } from '../../clients/client-input.ts';
import { DomainError } from '../../domain-error.ts';
import { translator } from '../../i18n/i18n.ts';
import { listSigningKeys } from '../../oidc/signing-keys.ts';
import { readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';
import { apiAccessOf, apiForm, appForm, lines, resourceForm, type AppForm } from './forms.ts';
import { consoleKit, type AdminContext, type AdminDeps, type AdminState } from './guard.ts';
import { adminLocals, byAdmin, doneTo, refusal } from './page-kit.ts';
import { formatTime } from './view.ts';
import { getClientBranding, prepareBranding, type BrandingInput, type ClientBranding } from '../../clients/index.ts';

const formOf = (c: ClientView): Record<string, string> => ({
  name: c.client_name,
  type: c.type,
  redirect_uris: c.redirect_uris.join('\n'),
  post_logout_redirect_uris: c.post_logout_redirect_uris.join('\n'),
  scopes: c.scope,
  first_party: c.first_party ? 'yes' : '',
  api_access: Object.entries(c.api_access).map(([r, s]) => (s.includes('*') ? r : `${r}=${s.join(',')}`)).join('\n'),
});

/** The branding fields of the form. The logo address only when it changed: saving the form again does not fetch it again. */
const brandingOf = (f: AppForm, stored?: ClientBranding): BrandingInput => ({
  ...(f.logo_uri !== (stored?.logo_uri ?? '') ? { logoUri: f.logo_uri } : {}),
  policyUri: f.policy_uri,
  tosUri: f.tos_uri,
  clientUri: f.client_uri,
});
const brandingValues = (b: ClientBranding | undefined): Record<string, string> => ({
  logo_uri: b?.logo_uri ?? '',
  policy_uri: b?.policy_uri ?? '',
  tos_uri: b?.tos_uri ?? '',
  client_uri: b?.client_uri ?? '',
});

const inputOf = (f: AppForm) => ({
  name: f.name,
  redirectUris: lines(f.redirect_uris),
  postLogoutRedirectUris: lines(f.post_logout_redirect_uris),
  scopes: lines(f.scopes),
  firstParty: f.first_party === 'yes',
  apiAccess: apiAccessOf(f.api_access),
});

export function addCatalogRoutes(router: Router<AdminState>, deps: AdminDeps): void {
  const kit = consoleKit(deps);
  const { gate, post } = kit;

  router.get('/apps', gate('apps:read'), async (ctx) => {
    const apps = (await listClients(deps.db)).filter((c) => c.client_id !== ACCOUNT_CLIENT_ID);
    renderPage(ctx, 'admin/apps', { titleKey: 'admin:apps.title', ...adminLocals(ctx), apps });
  });

  function showAppForm(ctx: AdminContext, opts: { app?: ClientView; values: Record<string, string>; error?: string; status?: number; secret?: string }) {
    renderPage(
      ctx,
      'admin/app',
      { titleKey: opts.app ? 'admin:apps.edit_title' : 'admin:apps.new_title', ...adminLocals(ctx), app: opts.app, values: opts.values, types: CLIENT_TYPES, error: opts.error, secret: opts.secret, created: opts.app ? formatTime(opts.app.created_at) : undefined },
      { status: opts.status ?? 200 },
    );
  }
  const inputError = (ctx: AdminContext, err: unknown) =>
    err instanceof ClientInputError || err instanceof ApiInputError ? `${translator(ctx.state.locale)('admin:errors.invalid')} (${err.message})` : undefined;

  router.get('/apps/new', gate('apps:write'), (ctx) => showAppForm(ctx, { values: { type: 'web' } }));

  router.post('/apps', ...post('apps:write'), async (ctx) => {
    const form = readForm(ctx, appForm);
    if (!form) return kit.badForm(ctx, '/admin/apps/new');
    try {
      const branding = await prepareBranding(deps, brandingOf(form));
      const { client, clientSecret } = await createApp(deps.db, deps.box, deps.config.issuer, { ...inputOf(form), type: form.type || 'web' }, byAdmin(ctx), branding);
      // Shown once, here.
      return showAppForm(ctx, { app: client, values: { ...formOf(client), ...brandingValues(await getClientBranding(deps.db, client.client_id)) }, secret: clientSecret });
    } catch (err) {
      const error = inputError(ctx, err);
      if (!error) return refusal(ctx, err, '/admin/apps');
      return showAppForm(ctx, { values: form, error, status: 400 });
    }
  });

  const appOr404 = async (ctx: AdminContext) => {
    const id = String(ctx.params['id']);
    const app = id === ACCOUNT_CLIENT_ID ? undefined : await getClient(deps.db, id);
    if (!app) refusal(ctx, new DomainError('not_found'), '/admin/apps');
    return app;
  };

  router.get('/apps/:id', gate('apps:read'), async (ctx) => {
    const app = await appOr404(ctx);
    if (app) showAppForm(ctx, { app, values: { ...formOf(app), ...brandingValues(await getClientBranding(deps.db, app.client_id)) } });
  });

  router.post('/apps/:id', ...post('apps:write'), async (ctx) => {
    const app = await appOr404(ctx);
    if (!app) return;
    const form = readForm(ctx, appForm);
    if (!form) return kit.badForm(ctx, `/admin/apps/${encodeURIComponent(app.client_id)}`);
    try {
      const branding = await prepareBranding(deps, brandingOf(form, await getClientBranding(deps.db, app.client_id)));
      await updateApp(deps.db, deps.config.issuer, app.client_id, inputOf(form), byAdmin(ctx), branding);
    } catch (err) {
      const error = inputError(ctx, err);
      if (!error) return refusal(ctx, err, '/admin/apps');
      return showAppForm(ctx, { app, values: form, error, status: 400 });
    }
    doneTo(ctx, `/admin/apps/${encodeURIComponent(app.client_id)}`, 'app_saved');
  });

  for (const [path, enabled] of [['disable', false], ['enable', true]] as const) {
    router.post(`/apps/:id/${path}`, ...post('apps:write'), async (ctx) => {
      const app = await appOr404(ctx);
      if (!app) return;
      await updateApp(deps.db, deps.config.issuer, app.client_id, { enabled }, byAdmin(ctx));
      doneTo(ctx, `/admin/apps/${encodeURIComponent(app.client_id)}`, 'app_saved');
    });
  }

  router.post('/apps/:id/rotate-secret', ...post('apps:write'), async (ctx) => {
    const app = await appOr404(ctx);
    if (!app) return;
    try {
      const secret = await rotateAppSecret(deps.db, deps.box, app.client_id, byAdmin(ctx));
      return showAppForm(ctx, { app, values: formOf(app), secret });
    } catch (err) {
      const error = inputError(ctx, err);
      if (!error) return refusal(ctx, err, '/admin/apps');
      return showAppForm(ctx, { app, values: formOf(app), error, status: 400 });
    }
  });

  async function showApis(ctx: AdminContext, opts: { values?: Record<string, string>; error?: string; status?: number } = {}) {
    const [apis, keys] = await Promise.all([listApis(deps.db), listSigningKeys(deps.db)]);
    renderPage(
      ctx,
      'admin/apis',
      {
        titleKey: 'admin:apis.title',
        ...adminLocals(ctx),
        apis,
        keys: keys.map((k) => ({ ...k, activates: formatTime(k.activatesAt), retires: k.retiresAt ? formatTime(k.retiresAt) : '' })),
        values: opts.values ?? {},
        error: opts.error,
      },
      { status: opts.status ?? 200 },
    );
  }

  router.get('/apis', gate('apis:read'), (ctx) => showApis(ctx));

  router.post('/apis', ...post('apis:write'), async (ctx) => {
    const form = readForm(ctx, apiForm);
    if (!form) return kit.badForm(ctx, '/admin/apis');
    try {
      await createApiResource(deps.db, { name: form.name, resource: form.resource, scopes: lines(form.scopes), ...(form.ttl ? { accessTokenTtl: Number(form.ttl) } : {}) }, byAdmin(ctx));
    } catch (err) {
      const error = inputError(ctx, err);
      if (!error) return refusal(ctx, err, '/admin/apis');
      return showApis(ctx, { values: form, error, status: 400 });
    }
    doneTo(ctx, '/admin/apis', 'api_saved');
  });

  router.post('/apis/delete', ...post('apis:write'), async (ctx) => {
    const form = readForm(ctx, resourceForm);
    if (!form) return kit.badForm(ctx, '/admin/apis');
    try {
      await deleteApiResource(deps.db, deps.config.issuer, form.resource, byAdmin(ctx));
    } catch (err) {
      return refusal(ctx, err, '/admin/apis');
    }
    doneTo(ctx, '/admin/apis', 'api_deleted');
  });

  router.post('/keys/rotate', ...post('keys:rotate'), async (ctx) => {
    // Twice the refresh interval, as `bwid keys rotate`: every process publishes before it signs.
    await rotateKeys(deps.db, deps.box, deps.config.keyRefreshSeconds * 2, byAdmin(ctx));
    doneTo(ctx, '/admin/apis', 'keys_rotated');
  });
}
