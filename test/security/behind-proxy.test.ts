// Behind a TLS-terminating proxy (TRUST_PROXY=true, TRUST_PROXY_HOPS=1, an https ISSUER):
// the client address is the X-Forwarded-For entry our proxy appended (the rightmost), not
// what the client wrote; every cookie is Secure, the session one __Host-, even on a request
// that lacks X-Forwarded-Proto.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/server.ts';
import { Browser, signUpOnPage } from '../support/browser.ts';
import { PASSWORD, uniqueEmail } from '../support/api.ts';

let testDb: TestDatabase;
let server: RunningServer;
let url: string;
let issuerOrigin: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    ISSUER: `https://127.0.0.1:${port}`,
    TRUST_PROXY: 'true',
    TRUST_PROXY_HOPS: '1',
    DATA_DIR: testDb.dataDir,
    ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    SECRETS_KEY: 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw',
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '10',
    SIGN_UP_HOURLY_LIMIT_PER_IP: '3',
  });
  expect(config.issuer).toBe(`https://127.0.0.1:${port}`);
  server = await startServer({ ...config, port, host: '127.0.0.1' });
  // The proxy terminates TLS; we talk plain HTTP to the server behind it.
  url = `http://127.0.0.1:${port}`;
  issuerOrigin = config.issuer;
});
afterAll(async () => {
  await server?.close();
  await testDb?.drop();
});

let spoof = 0;
const register = (xff: string) =>
  fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': xff, 'x-forwarded-proto': 'https' },
    body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD, given_name: 'Sina' }),
  });

/** A browser that records every Set-Cookie and treats the https issuer origin as the proxy's (plain http here). */
class RecordingBrowser extends Browser {
  setCookies: string[] = [];
  override async request(target: string, init: Parameters<Browser['request']>[1] = {}): Promise<Response> {
    const res = await super.request(target.replace(issuerOrigin, url), init);
    this.setCookies.push(...res.headers.getSetCookie());
    return res;
  }
  override async go(target: string, init: Parameters<Browser['request']>[1] = {}) {
    let res = await this.request(target, init);
    let at = new URL(target, url).toString();
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      at = new URL(res.headers.get('location') ?? '', at.replace(url, issuerOrigin)).toString().replace(issuerOrigin, url);
      if (!at.startsWith(url)) break;
      res = await this.request(at);
    }
    return { res, url: at, html: await res.text() };
  }
}

describe('TRUST_PROXY_HOPS=1', () => {
  it('takes the rightmost X-Forwarded-For entry: a new spoofed leftmost one each time does not escape the sign-up limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await register(`198.51.100.${++spoof}, 203.0.113.7`)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    // Another real client (another address appended by the proxy) is not limited.
    expect((await register(`198.51.100.${++spoof}, 203.0.113.8`)).status).toBe(201);
  });
});

describe('cookies behind https', () => {
  async function signUpAndIn(b: RecordingBrowser) {
    return signUpOnPage(b, { email: uniqueEmail(), password: PASSWORD, given_name: 'Sina', locale: 'en' });
  }

  it('names the session cookie __Host-_session, Secure, after signing in', async () => {
    const b = new RecordingBrowser(url, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.20' });
    const done = await signUpAndIn(b);
    expect(done.url).toMatch(/\/account$/);
    const session = b.setCookies.find((c) => c.startsWith('__Host-_session='));
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*secure/i);
    expect(session).toMatch(/;\s*path=\/(;|$)/i);
    expect(session).not.toMatch(/domain=/i);
    expect(b.setCookies.some((c) => c.startsWith('_session='))).toBe(false);
  });

  it('marks every cookie Secure even on requests without X-Forwarded-Proto', async () => {
    const b = new RecordingBrowser(url, { 'x-forwarded-for': '203.0.113.21' });
    await signUpAndIn(b);
    expect(b.setCookies.length).toBeGreaterThan(0);
    for (const c of b.setCookies) expect(c, c).toMatch(/;\s*secure/i);
  });
});
