// Helpers of the admin console tests: a person registered through the JSON API, signed in
// through the hosted pages into /admin (the Browser of test/support), the `bwid` CLI in-process
// against the running server's database, and service-client tokens for the admin API.
import { expect } from 'vitest';
import { runCli } from '../../../src/cli/main.ts';
import { call, PASSWORD, register } from '../../support/api.ts';
import { Browser, csrfOf } from '../../support/browser.ts';
import { cliEnv } from '../../support/cli-env.ts';
import type { TestServer } from '../../support/server.ts';

export const SECRETS_KEY = 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw'; // the test server's (test/support/server.ts)

/**
 * `bwid …` on the server's database (PGlite: through the server's socket), in-process: a real
 * process costs seconds to start, and the binary itself is tested in test/cli/bwid.test.ts.
 */
export async function bwid(server: TestServer, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await runCli(argv, cliEnv(server.testDb, { ISSUER: server.url, SECRETS_KEY }));
  return { code: out.code, stdout: out.stdout ?? '', stderr: out.stderr ?? '' };
}

export async function person(server: TestServer, given = 'Sina', locale = 'en') {
  return register(server, { given_name: given, locale });
}

/** Signs `email` in through GET /admin (hosted sign-in, callback) and returns the landing page. */
export async function adminSignIn(server: TestServer, email: string, lang = 'en') {
  const b = new Browser(server.url, { 'accept-language': lang });
  const login = await b.go('/admin');
  const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
  expect(action, 'the hosted sign-in page').not.toBe('');
  const landed = await b.go(action, { form: { _csrf: csrfOf(login.html, action), username: email, password: PASSWORD } });
  return { b, landed };
}

/** A client-credentials token for the admin API with these scopes. */
export async function adminApiToken(server: TestServer, clientId: string, secret: string, scope: string) {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${server.url}/admin`, scope }),
  });
  const json = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json.access_token ?? '';
}

export { call };
