// A local stand-in for the three Facebook Login endpoints we use, written to Facebook's
// published behaviour ("Manually Build a Login Flow", Graph API "Securing Requests"):
//   GET  /v21.0/dialog/oauth            -> redirect_uri?code=…&state=… (or error=access_denied&error_reason=user_denied…)
//   GET|POST /v21.0/oauth/access_token  client_id, client_secret, redirect_uri (must match), code (single use)
//                                       -> {"access_token","token_type":"bearer","expires_in"}
//   GET  /v21.0/me?fields=…&appsecret_proof=HMAC-SHA256(app secret, token)
//                                       -> only the fields asked for; email only when the person has a confirmed one
// Errors are Facebook's shape: {"error":{"message","type":"OAuthException","code":100,"fbtrace_id"}}. Not a test file.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FacebookPerson = { id: string; name: string; first_name: string; last_name: string; email?: string };

export class FakeFacebook {
  server!: http.Server;
  url = '';
  readonly appId = '1234567890123456';
  readonly appSecret = 'fb-app-secret-0123456789abcdef';
  redirectUri = '';
  /** Who is "logged in to Facebook" in the browser that opens the dialog. */
  person: FacebookPerson | undefined;
  deny = false;
  /** What the Graph API saw (the test checks appsecret_proof was sent). */
  graphCalls: { proof: string | null; fields: string | null }[] = [];
  #codes = new Map<string, { person: FacebookPerson; redirectUri: string; scope: string[] }>();
  #tokens = new Map<string, { person: FacebookPerson; scope: string[] }>();

  static async start(): Promise<FakeFacebook> {
    const fb = new FakeFacebook();
    fb.server = http.createServer((req, res) => void fb.#handle(req, res));
    await new Promise<void>((resolve) => fb.server.listen(0, '127.0.0.1', resolve));
    fb.url = `http://127.0.0.1:${(fb.server.address() as AddressInfo).port}`;
    return fb;
  }

  get endpoints() {
    return { authorization: `${this.url}/v21.0/dialog/oauth`, token: `${this.url}/v21.0/oauth/access_token`, userinfo: `${this.url}/v21.0/me` };
  }

  #json(res: http.ServerResponse, status: number, body: unknown) {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=UTF-8');
    res.end(JSON.stringify(body));
  }
  #oauthError(res: http.ServerResponse, message: string, type = 'OAuthException') {
    this.#json(res, 400, { error: { message, type, code: 100, fbtrace_id: crypto.randomBytes(8).toString('base64url') } });
  }

  async #params(req: http.IncomingMessage, url: URL): Promise<URLSearchParams> {
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST') {
      const body = await new Promise<string>((resolve) => {
        let d = '';
        req.on('data', (c: Buffer) => (d += c.toString()));
        req.on('end', () => resolve(d));
      });
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
    return params;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const p = await this.#params(req, url);
    if (url.pathname === '/v21.0/dialog/oauth') {
      if (p.get('client_id') !== this.appId || p.get('redirect_uri') !== this.redirectUri) {
        res.statusCode = 400;
        return res.end('URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app’s Client OAuth Settings.');
      }
      const back = new URL(this.redirectUri);
      if (p.get('state')) back.searchParams.set('state', p.get('state') ?? '');
      if (this.deny || !this.person) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_code', '200');
        back.searchParams.set('error_description', 'Permissions error');
        back.searchParams.set('error_reason', 'user_denied');
      } else {
        const code = crypto.randomBytes(24).toString('base64url');
        this.#codes.set(code, { person: this.person, redirectUri: this.redirectUri, scope: (p.get('scope') ?? '').split(/[ ,]+/) });
        back.searchParams.set('code', code);
      }
      res.statusCode = 302;
      res.setHeader('location', `${back.href}#_=_`);
      return res.end();
    }
    if (url.pathname === '/v21.0/oauth/access_token') {
      if (p.get('client_id') !== this.appId || p.get('client_secret') !== this.appSecret) return this.#oauthError(res, 'Error validating client secret.');
      const code = this.#codes.get(p.get('code') ?? '');
      this.#codes.delete(p.get('code') ?? '');
      if (!code) return this.#oauthError(res, 'This authorization code has been used.');
      if (code.redirectUri !== p.get('redirect_uri')) return this.#oauthError(res, 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request');
      const token = `EAA${crypto.randomBytes(32).toString('base64url')}`;
      this.#tokens.set(token, { person: code.person, scope: code.scope });
      return this.#json(res, 200, { access_token: token, token_type: 'bearer', expires_in: 5183944 });
    }
    if (url.pathname === '/v21.0/me') {
      const auth = req.headers['authorization'];
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : p.get('access_token') ?? '';
      const grant = this.#tokens.get(token);
      this.graphCalls.push({ proof: p.get('appsecret_proof'), fields: p.get('fields') });
      if (!grant) return this.#oauthError(res, 'Invalid OAuth access token - Cannot parse access token');
      const proof = crypto.createHmac('sha256', this.appSecret).update(token).digest('hex');
      if (p.get('appsecret_proof') !== proof) return this.#oauthError(res, 'Invalid appsecret_proof provided in the API argument', 'GraphMethodException');
      const fields = (p.get('fields') ?? 'id,name').split(',');
      const all: Record<string, unknown> = {
        id: grant.person.id,
        name: grant.person.name,
        first_name: grant.person.first_name,
        last_name: grant.person.last_name,
        picture: { data: { height: 50, is_silhouette: false, url: `https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=${grant.person.id}`, width: 50 } },
        ...(grant.person.email && grant.scope.includes('email') ? { email: grant.person.email } : {}),
      };
      return this.#json(res, 200, Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]])));
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
