// The hosted code pages over HTTP (no browser): a limit is a clear 429 page in the person's
// language with Retry-After; a stale form is refused by the CSRF guard; a malformed number is
// shown back with its field error; a landline sees the same "enter your code" page as anyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { outbox } from '../../support/api.ts';
import { authorizeUrl, Browser, csrfOf, textOf } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;
let clientId: string;
let n = Math.floor(Math.random() * 80000) + 10000;
const newMobile = () => `+68578${String(++n).padStart(5, '0')}`;

beforeAll(async () => {
  server = await startTestServer();
  const { client } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`] });
  clientId = client.client_id;
});
afterAll(async () => server?.stop());

async function loginPage(b: Browser, lang: string) {
  const page = await b.go(authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, ui_locales: lang }));
  const base = new URL(page.url).pathname;
  return { ...page, base, csrf: csrfOf(page.html, `${base}/code`) };
}

describe('hosted code pages', () => {
  it('the sixth code to one number is a 429 page in Samoan with Retry-After', async () => {
    const sm = translator('sm');
    const b = new Browser(server.url, { 'accept-language': 'sm' });
    const { base, csrf } = await loginPage(b, 'sm');
    const phone = newMobile();
    for (let i = 0; i < 5; i++) {
      const sent = await b.go(`${base}/code`, { form: { _csrf: csrf, username: phone } });
      expect(sent.res.status).toBe(200);
      expect(textOf(sent.html)).toContain(sm('codes:enter.title'));
    }
    const refused = await b.go(`${base}/code`, { form: { _csrf: csrf, username: phone } });
    expect(refused.res.status).toBe(429);
    expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(textOf(refused.html)).toContain('ʻUa tele naua taumafaiga');
    expect((await outbox(server, phone)).filter((m) => m.template === 'sign_in_code')).toHaveLength(5);
  });

  it('a forged form is refused; a malformed number comes back with its error; a landline sees the usual page and gets nothing', async () => {
    const en = translator('en');
    const b = new Browser(server.url);
    const { base, csrf } = await loginPage(b, 'en');
    expect((await b.go(`${base}/code`, { form: { _csrf: 'forged', username: newMobile() } })).res.status).toBe(403);
    const bad = await b.go(`${base}/code`, { form: { _csrf: csrf, username: '12' } });
    expect(bad.res.status).toBe(400);
    expect(textOf(bad.html)).toContain(en('errors:fields.phone_invalid'));
    expect(bad.html).toContain('value="12"');
    const landline = await b.go(`${base}/code`, { form: { _csrf: csrf, username: '22123' } });
    expect(landline.res.status).toBe(200);
    expect(textOf(landline.html)).toContain(en('codes:enter.sent_sms', { to: '+68522123', minutes: 10 }));
    expect(await outbox(server, '+68522123')).toEqual([]);
  });
});
