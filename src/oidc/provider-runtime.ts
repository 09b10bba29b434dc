// Owns: the live Provider instance. oidc-provider takes its keys at construction, so when the
// signing keys change (rotation, a pending key activating) a new Provider is built from the
// same database and swapped in; no restart, at most KEY_REFRESH_SECONDS late.
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import { isDatabaseUnavailable } from '../db/availability.ts';
import type { Deps, OidcRuntime } from '../deps.ts';
import { loadCookieKeys } from './cookie-keys.ts';
import { buildProvider } from './provider.ts';
import { ensureSigningKeys, loadSigningKeys } from './signing-keys.ts';

export type RuntimeDeps = Pick<Deps, 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'> & {
  issuer: string;
  trustProxy: boolean;
  trustProxyHops: number;
  refreshSeconds: number;
};

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;
const toPublic = (k: JWK): JWK => Object.fromEntries(PUBLIC_MEMBERS.filter((m) => k[m] !== undefined).map((m) => [m, k[m]])) as JWK;

/**
 * RFC 6749 5.2: a client using a grant type it is not registered for gets
 * `unauthorized_client`; oidc-provider 9 answers `invalid_request`. The listener runs after
 * the error body is set and before it is sent, so it corrects the code in place.
 */
function rfc6749GrantErrors(ctx: { body: unknown }, err: { error?: string; error_description?: string }) {
  const body = ctx.body as { error?: string } | undefined;
  if (err.error === 'invalid_request' && err.error_description === 'requested grant type is not allowed for this client' && body?.error) {
    body.error = 'unauthorized_client';
  }
}

export class ProviderRuntime implements OidcRuntime {
  #provider!: Provider;
  #mounted!: Middleware;
  #verificationKeys!: JWTVerifyGetKey;
  #fingerprint = '';
  #cookieKeys: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  private constructor(private readonly deps: RuntimeDeps) {}

  static async start(deps: RuntimeDeps): Promise<ProviderRuntime> {
    const runtime = new ProviderRuntime(deps);
    await ensureSigningKeys(deps.db, deps.box);
    runtime.#cookieKeys = await loadCookieKeys(deps.db, deps.box);
    await runtime.refresh();
    runtime.#timer = setInterval(() => {
      runtime.refresh().catch((err: unknown) => deps.log.warn({ err }, 'signing key refresh failed; keeping current keys'));
    }, deps.refreshSeconds * 1000);
    runtime.#timer.unref();
    return runtime;
  }

  get provider(): Provider {
    return this.#provider;
  }

  /** The public halves of every published key (the same set /jwks serves), for our own JWTs. */
  get verificationKeys(): JWTVerifyGetKey {
    return this.#verificationKeys;
  }

  /** The cookie signing keys. The host Koa app needs them too: koa-mount hands the provider
   * the host's ctx.cookies, which signs with the host app's keys. */
  get cookieKeys(): string[] {
    return this.#cookieKeys;
  }

  /** Rebuilds the provider if the key set changed. Returns whether it did. */
  async refresh(): Promise<boolean> {
    const { jwks, fingerprint } = await loadSigningKeys(this.deps.db, this.deps.box);
    if (fingerprint === this.#fingerprint) return false;
    const provider = buildProvider({ ...this.deps, jwks, cookieKeys: this.#cookieKeys });
    provider.on('server_error', (ctx, err) => {
      // The error boundary turns these into 503 + Retry-After instead of 500.
      if (isDatabaseUnavailable(err)) ctx.state['databaseUnavailable'] = true;
      else this.deps.log.error({ err, reqId: ctx.state['reqId'] }, 'oidc server error');
    });
    provider.on('grant.error', rfc6749GrantErrors);
    this.#provider = provider;
    this.#verificationKeys = createLocalJWKSet({ keys: jwks.map(toPublic) });
    this.#mounted = mount(provider);
    if (this.#fingerprint) this.deps.log.info({ kids: jwks.map((k) => k.kid) }, 'signing keys reloaded');
    this.#fingerprint = fingerprint;
    return true;
  }

  /** Koa middleware that always delegates to the current provider. */
  middleware(): Middleware {
    return (ctx, next) => this.#mounted(ctx, next);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
