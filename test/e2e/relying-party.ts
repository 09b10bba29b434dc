// A real relying party for the browser test: a tiny HTTP server on its own port that signs
// people in with openid-client v6 (code + PKCE + nonce + state), reads userinfo, refreshes,
// and signs out with RP-initiated logout. It records what happened for the test to check.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';

export type RpResult = {
  error?: string;
  claims?: Record<string, unknown>;
  userinfo?: Record<string, unknown>;
  refreshed?: { accessToken: string; previous: string; idTokenSub?: string };
  idToken?: string;
};

export class RelyingParty {
  server!: http.Server;
  url = '';
  config!: client.Configuration;
  results: RpResult[] = [];
  signedOut = 0;
  #pending = new Map<string, { verifier: string; nonce: string }>();

  static async start(issuer: string, register: (redirectBase: string) => Promise<{ clientId: string; secret: string }>): Promise<RelyingParty> {
    const rp = new RelyingParty();
    rp.server = http.createServer((req, res) => {
      rp.#handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => rp.server.listen(0, '127.0.0.1', resolve));
    rp.url = `http://127.0.0.1:${(rp.server.address() as AddressInfo).port}`;
    const { clientId, secret } = await register(rp.url);
    rp.config = await client.discovery(new URL(issuer), clientId, secret, undefined, { execute: [client.allowInsecureRequests] });
    return rp;
  }

  get last(): RpResult | undefined {
    return this.results.at(-1);
  }

  #page(res: http.ServerResponse, title: string, body: string) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      this.#pending.set(state, { verifier, nonce });
      const params: Record<string, string> = {
        redirect_uri: `${this.url}/cb`,
        scope: 'openid profile email phone offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      // prompt=consent unless the test says otherwise; `?prompt=` (empty) sends no prompt.
      const prompt = url.searchParams.get('prompt') ?? 'consent';
      if (prompt) params['prompt'] = prompt;
      const lang = url.searchParams.get('ui_locales');
      if (lang) params['ui_locales'] = lang;
      res.statusCode = 302;
      res.setHeader('location', client.buildAuthorizationUrl(this.config, params).href);
      return res.end();
    }
    if (url.pathname === '/cb') {
      const state = url.searchParams.get('state') ?? '';
      const pending = this.#pending.get(state);
      this.#pending.delete(state);
      if (!pending) return this.#page(res, 'Unknown state', '');
      try {
        // Checks issuer, audience, nonce, signature (against the IdP's JWKS), state and PKCE.
        const tokens = await client.authorizationCodeGrant(this.config, url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims() as Record<string, unknown> | undefined;
        const sub = String(claims?.['sub']);
        const userinfo = (await client.fetchUserInfo(this.config, tokens.access_token, sub)) as Record<string, unknown>;
        // Refresh tokens come only with offline_access (allowed on the consent screen, or first party).
        const refreshed = tokens.refresh_token ? await client.refreshTokenGrant(this.config, tokens.refresh_token) : undefined;
        this.results.push({
          claims,
          userinfo,
          idToken: tokens.id_token,
          ...(refreshed ? { refreshed: { accessToken: refreshed.access_token, previous: tokens.access_token, idTokenSub: refreshed.claims()?.sub } } : {}),
        });
        return this.#page(res, 'Signed in at the app', `<p id="sub">${sub}</p><a id="logout" href="/logout">Sign out</a>`);
      } catch (err) {
        const e = err as { error?: string; code?: string; message?: string };
        this.results.push({ error: e.error ?? e.code ?? e.message });
        return this.#page(res, 'Sign-in failed at the app', `<p id="error">${e.error ?? ''}</p>`);
      }
    }
    if (url.pathname === '/logout') {
      const idToken = this.last?.idToken ?? '';
      res.statusCode = 302;
      res.setHeader('location', client.buildEndSessionUrl(this.config, { id_token_hint: idToken, post_logout_redirect_uri: `${this.url}/bye`, ...(url.searchParams.get('ui_locales') ? { ui_locales: url.searchParams.get('ui_locales') ?? '' } : {}) }).href);
      return res.end();
    }
    if (url.pathname === '/bye') {
      this.signedOut += 1;
      return this.#page(res, 'Signed out of the app', '');
    }
    res.statusCode = 404;
    res.end();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
