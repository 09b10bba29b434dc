// A second, independent OpenID provider for social sign-in tests (oidc-provider, in-process,
// its own port and client for us). Its login is a tiny page of its own (no devInteractions):
// a form that says who the upstream person is (sub, email, email_verified), so a test can be
// any upstream person. It can also be told to misbehave: answer junk, or sign ID tokens with
// a key it does not publish. Not a test file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, exportJWK } from 'jose';
import { Provider } from 'oidc-provider';

export type UpstreamPerson = { sub: string; email?: string; email_verified?: boolean; name?: string; given_name?: string; family_name?: string; picture?: string };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class UpstreamIdp {
  server!: http.Server;
  issuer = '';
  provider!: Provider;
  people = new Map<string, UpstreamPerson>();
  /** 'ok' | 'junk' (token endpoint answers HTML) | 'down' (every request is cut) */
  mode: 'ok' | 'junk' | 'down' = 'ok';
  readonly clientId = 'bytewatchers';
  readonly clientSecret = 'upstream-secret-for-bytewatchers-0123456789';

  /** host: use 'localhost' when a real browser also visits us on 127.0.0.1 (cookies ignore ports). */
  static async listen(opts: { host?: string } = {}): Promise<UpstreamIdp> {
    const idp = new UpstreamIdp();
    idp.server = http.createServer((req, res) => void idp.#handle(req, res));
    await new Promise<void>((resolve) => idp.server.listen(0, '127.0.0.1', resolve));
    idp.issuer = `http://${opts.host ?? '127.0.0.1'}:${(idp.server.address() as AddressInfo).port}`;
    return idp;
  }

  /** Builds the provider once our callback URLs (the connections' redirect_uri) are known. */
  async init(redirectUris: string[], opts: { signWithUnpublishedKey?: boolean } = {}): Promise<this> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' };
    this.provider = new Provider(this.issuer, {
      clients: [{ client_id: this.clientId, client_secret: this.clientSecret, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
      jwks: { keys: [jwk] },
      cookies: { keys: ['upstream-cookie-key-0123456789'] },
      features: { devInteractions: { enabled: false } },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture'] },
      pkce: { required: () => true },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => {
        const person = this.people.get(id);
        if (!person) return undefined;
        return { accountId: id, claims: () => ({ ...person }) };
      },
      clientBasedCORS: () => false,
    });
    if (opts.signWithUnpublishedKey) {
      // Publishes a different key than it signs with: every ID token fails signature checks.
      const other = await generateKeyPair('RS256', { extractable: true });
      const published = { ...(await exportJWK(other.publicKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' };
      this.provider.use(async (ctx, next) => {
        await next();
        if (ctx.path === '/jwks') ctx.body = { keys: [published] };
      });
    }
    return this;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (this.mode === 'down' || !this.provider) return req.socket.destroy();
    const url = new URL(req.url ?? '/', this.issuer);
    if (this.mode === 'junk' && url.pathname === '/token') {
      res.setHeader('content-type', 'text/html');
      res.statusCode = 200;
      return res.end('<html>oops</html>');
    }
    const m = url.pathname.match(/^\/interaction\/([\w-]+)$/);
    if (m) return this.#login(req, res);
    return this.provider.callback()(req, res);
  }

  async #login(req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await this.provider.interactionDetails(req, res);
    if (req.method === 'POST') {
      const body = new URLSearchParams(await new Promise<string>((resolve) => {
        let data = '';
        req.on('data', (c: Buffer) => (data += c.toString()));
        req.on('end', () => resolve(data));
      }));
      if (body.get('cancel')) {
        return this.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'cancelled' }, { mergeWithLastSubmission: false });
      }
      const person: UpstreamPerson = { sub: body.get('sub') ?? '' };
      for (const k of ['email', 'name', 'given_name', 'family_name', 'picture'] as const) if (body.get(k)) person[k] = body.get(k) ?? undefined;
      if (body.get('email')) person.email_verified = body.get('email_verified') === 'true';
      this.people.set(person.sub, person);
      const grant = new this.provider.Grant({ accountId: person.sub, clientId: this.clientId });
      grant.addOIDCScope(String(details.params['scope'] ?? 'openid'));
      const grantId = await grant.save();
      return this.provider.interactionFinished(req, res, { login: { accountId: person.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Upstream login</title></head><body><h1>Upstream login</h1>
<form method="post" action="/interaction/${esc(details.uid)}">
<input name="sub" id="sub"><input name="email" id="email"><input name="email_verified" id="email_verified" value="true"><input name="given_name" id="given_name"><input name="family_name" id="family_name">
<button type="submit" id="go">Sign in</button></form>
<form method="post" action="/interaction/${esc(details.uid)}"><input type="hidden" name="cancel" value="1"><button type="submit" id="cancel">Cancel</button></form></body></html>`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
