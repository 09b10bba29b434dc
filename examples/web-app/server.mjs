// Example: a server-side web app that signs people in with Bytewatchers ID (openid-client v6,
// authorization code + PKCE), shows their userinfo, refreshes its tokens and signs out with
// RP-initiated logout. See README.md next to this file. Sessions are kept in memory.
import crypto from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';

const ISSUER = process.env.ISSUER ?? 'http://localhost:3000';
const PORT = Number(process.env.PORT ?? 4000);
const APP_URL = process.env.APP_URL ?? `http://localhost:${PORT}`;
const { CLIENT_ID, CLIENT_SECRET } = process.env;
if (!CLIENT_ID || !CLIENT_SECRET) {
  console.error('Set CLIENT_ID and CLIENT_SECRET (see examples/web-app/README.md).');
  process.exit(1);
}

const issuer = new URL(ISSUER);
// openid-client refuses plain http; allow it only for an IdP on this machine (npm start).
const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
const config = await client.discovery(issuer, CLIENT_ID, CLIENT_SECRET, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined);

const COOKIE = 'example_web_sid';
const sessions = new Map();

function sessionOf(req, res) {
  const sid = /(?:^|;\s*)example_web_sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (sid && sessions.has(sid)) return sessions.get(sid);
  const id = crypto.randomUUID();
  const session = { id };
  sessions.set(id, session);
  res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body, status = 200) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width"></head><body><h1>${esc(title)}</h1>${body}</body></html>`);
}

function redirect(res, location) {
  res.statusCode = 302;
  res.setHeader('location', location);
  res.end();
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', APP_URL);
  const session = sessionOf(req, res);

  if (url.pathname === '/' && req.method === 'GET') {
    if (!session.tokens) return page(res, 'Example web app', '<p>You are not signed in.</p><p><a id="login" href="/login">Sign in with Bytewatchers ID</a></p>');
    return page(res, 'Example web app', `<p>Signed in as <span id="sub">${esc(session.sub)}</span>.</p>
<h2>Userinfo</h2><pre id="userinfo">${esc(JSON.stringify(session.userinfo, null, 2))}</pre>
<p id="refreshed">${session.refreshedAt ? `Tokens refreshed at ${esc(session.refreshedAt)} (${session.refreshes} time(s)).` : 'Not refreshed yet.'}</p>
<form method="post" action="/refresh"><button id="refresh">Refresh tokens</button></form>
<p><a id="logout" href="/logout">Sign out</a></p>`);
  }

  if (url.pathname === '/login') {
    // Kept in the session until the callback: PKCE verifier, state and nonce.
    session.verifier = client.randomPKCECodeVerifier();
    session.state = client.randomState();
    session.nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: `${APP_URL}/callback`,
      scope: 'openid profile email phone offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(session.verifier),
      code_challenge_method: 'S256',
      state: session.state,
      nonce: session.nonce,
    });
    return redirect(res, authorizationUrl.href);
  }

  if (url.pathname === '/callback') {
    const { verifier, state, nonce } = session;
    delete session.verifier;
    delete session.state;
    delete session.nonce;
    if (!verifier) return page(res, 'Sign-in failed', '<p>No sign-in in progress. <a href="/">Start again</a></p>', 400);
    try {
      const tokens = await client.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
      });
      session.sub = tokens.claims().sub;
      session.tokens = tokens;
      // Profile, email and phone claims come from userinfo (the ID token has sub, not the profile).
      session.userinfo = await client.fetchUserInfo(config, tokens.access_token, session.sub);
      return redirect(res, '/');
    } catch (err) {
      return page(res, 'Sign-in failed', `<p id="error">${esc(err.error ?? err.code ?? err.message)}</p><p><a href="/">Back</a></p>`, 400);
    }
  }

  if (url.pathname === '/refresh' && req.method === 'POST') {
    if (!session.tokens?.refresh_token) return redirect(res, '/');
    // Refresh tokens rotate: keep the new one, the old one no longer works.
    const tokens = await client.refreshTokenGrant(config, session.tokens.refresh_token);
    session.tokens = { ...tokens, id_token: tokens.id_token ?? session.tokens.id_token };
    session.userinfo = await client.fetchUserInfo(config, tokens.access_token, session.sub);
    session.refreshes = (session.refreshes ?? 0) + 1;
    session.refreshedAt = new Date().toISOString();
    return redirect(res, '/');
  }

  if (url.pathname === '/logout') {
    const idToken = session.tokens?.id_token;
    sessions.delete(session.id);
    if (!idToken) return redirect(res, '/');
    return redirect(res, client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${APP_URL}/` }).href);
  }

  page(res, 'Not found', '', 404);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => page(res, 'Error', `<pre>${esc(err.stack ?? err)}</pre>`, 500));
});
server.listen(PORT, () => console.log(`Example web app on ${APP_URL} (issuer ${ISSUER})`));
