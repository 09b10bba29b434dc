// Issue 13, "a newcomer's first hour", over HTTP: the language chosen at the start of a visit
// follows the person (forgot/reset pages, the emailed link, the account page, the logout
// confirmation), a reset started from an app's sign-in leads back to it, the favicon, the
// sign-up form's order and wording, and "send it again" on the account page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { outbox } from '../../support/api.ts';
import { authorizeUrl, Browser, csrfOf, decode, newPerson, signUpOnPage, textOf } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const RP = 'http://127.0.0.1:9';
const sm = translator('sm');
const en = translator('en');
let server: TestServer;
let clientId: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ client: { client_id: clientId } } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`] }));
});
afterAll(async () => server?.stop());

/** An English-speaking browser (Accept-Language en, no language cookie). */
const englishBrowser = () => new Browser(server.url, { 'accept-language': 'en' });

async function startFlow(b: Browser, extra: Record<string, string> = {}) {
  const page = await b.go(authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: 'openid', ...extra }));
  const uid = new URL(page.url).pathname.split('/')[2] ?? '';
  expect(uid).not.toBe('');
  return { ...page, uid, base: `/interaction/${uid}` };
}

const langOf = (html: string) => /<html lang="([a-z]+)"/.exec(html)?.[1];
const hrefOf = (html: string, text: string) => {
  const m = [...html.matchAll(/<a[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].find((a) => decode(a[2] ?? '').trim() === text);
  return m ? decode(m[1] ?? '') : undefined;
};
const actionOf = (html: string, path: string) => [...html.matchAll(/<form[^>]*action="([^"]*)"/g)].map((m) => decode(m[1] ?? '')).find((a) => a.startsWith(path));

/** An account whose language is Samoan, made through an app's sign-up page. */
async function samoanAccount() {
  const person = newPerson('sm');
  const b = englishBrowser();
  const flow = await startFlow(b, { ui_locales: 'sm' });
  const reg = await b.go(`${flow.base}/register`);
  await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(reg.html, `${flow.base}/register`), ...person, locale: 'sm' } });
  return person;
}

describe('the language stays (from a Samoan start)', () => {
  it('sign-in (ui_locales=sm) -> forgot -> emailed link -> reset -> back to the same sign-in, all in Samoan', async () => {
    const person = await samoanAccount();
    const b = englishBrowser();
    const flow = await startFlow(b, { ui_locales: 'sm' });
    expect(langOf(flow.html)).toBe('sm');

    const forgotHref = hrefOf(flow.html, sm('pages:login.forgot'));
    expect(forgotHref).toBe(`/password/forgot?ui_locales=sm&interaction=${flow.uid}`);
    const forgot = await b.go(forgotHref!);
    expect(forgot.res.status).toBe(200);
    expect(langOf(forgot.html)).toBe('sm');
    expect(textOf(forgot.html)).toContain(sm('api:pages.forgot.lead'));
    // Its own links keep the language and the way back.
    expect(hrefOf(forgot.html, sm('api:pages.back_to_sign_in'))).toBe(`${flow.base}/login`);
    const action = actionOf(forgot.html, '/password/forgot');
    expect(action).toBe(`/password/forgot?ui_locales=sm&interaction=${flow.uid}`);

    const sent = await b.go(action!, { form: { _csrf: csrfOf(forgot.html), username: person.email } });
    expect(langOf(sent.html)).toBe('sm');
    expect(textOf(sent.html)).toContain(sm('api:pages.forgot_sent_email.title'));

    // The email is in the account's language, and its link opens a Samoan page.
    const mail = (await outbox(server, person.email)).find((m) => m.template === 'password_reset');
    expect(mail?.locale).toBe('sm');
    const link = /(\/password\/reset\?token=[A-Za-z0-9_-]+&ui_locales=sm)/.exec(mail?.content?.text ?? '')?.[1];
    expect(link).toBeDefined();
    const reset = await b.go(link!);
    expect(langOf(reset.html)).toBe('sm');
    expect(textOf(reset.html)).toContain(sm('api:pages.reset.lead_link'));
    const resetAction = actionOf(reset.html, '/password/reset');
    expect(resetAction).toContain('ui_locales=sm');

    const done = await b.go(resetAction!, { form: { _csrf: csrfOf(reset.html), token: /name="token" value="([^"]+)"/.exec(reset.html)?.[1] ?? '', password: `${person.password} fou` } });
    expect(langOf(done.html)).toBe('sm');
    expect(textOf(done.html)).toContain(sm('api:pages.reset_done.title'));
    // Back to the same interaction's sign-in, which is still alive and still Samoan.
    const back = hrefOf(done.html, sm('api:pages.back_to_app', { app: 'Niu Market' }));
    expect(back).toBe(`${flow.base}/login`);
    const again = await b.go(back!);
    expect(again.res.status).toBe(200);
    expect(langOf(again.html)).toBe('sm');
    const signedIn = await b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(again.html, `${flow.base}/login`), username: person.email, password: `${person.password} fou` } });
    expect(textOf(signedIn.html)).toContain(sm('pages:consent.title', { app: 'Niu Market' }));
  });

  it('a phone reset keeps the language and the way back through the code page', async () => {
    const b = englishBrowser();
    const flow = await startFlow(b, { ui_locales: 'sm' });
    const forgot = await b.go(hrefOf(flow.html, sm('pages:login.forgot'))!);
    const code = await b.go(actionOf(forgot.html, '/password/forgot')!, { form: { _csrf: csrfOf(forgot.html), username: '7299001' } });
    expect(code.url).toContain('ui_locales=sm');
    expect(code.url).toContain(`interaction=${flow.uid}`);
    expect(langOf(code.html)).toBe('sm');
    expect(textOf(code.html)).toContain(sm('api:pages.reset.code'));
  });

  it('every recovery page accepts ?ui_locales on a GET', async () => {
    const b = englishBrowser();
    for (const path of ['/password/forgot', '/password/reset?phone_number=7212345', '/verify/phone', '/password/reset?token=nope']) {
      const page = await b.go(`${path}${path.includes('?') ? '&' : '?'}ui_locales=sm`);
      expect(langOf(page.html), path).toBe('sm');
      const english = await b.go(path);
      expect(langOf(english.html), path).toBe('en');
    }
  });

  it('the switcher outranks a ui_locales the page carried', async () => {
    const b = englishBrowser();
    const page = await b.go('/password/forgot?ui_locales=sm');
    const toEnglish = /<a href="([^"]+)" lang="en"/.exec(page.html)?.[1];
    const switched = await b.go(decode(toEnglish!));
    expect(new URL(switched.url).searchParams.get('ui_locales')).toBe('en');
    expect(langOf(switched.html)).toBe('en');
  });

  it('the account page and the logout confirmation speak the account language; the switcher still wins', async () => {
    const person = newPerson('acc');
    const b = englishBrowser();
    const account = await signUpOnPage(b, { ...person, locale: 'sm' });
    expect(langOf(account.form.html)).toBe('en');
    expect(account.url).toBe(`${server.url}/account`);
    expect(langOf(account.html)).toBe('sm');
    expect(textOf(account.html)).toContain(sm('pages:account.title'));
    const password = await b.go('/account/password');
    expect(langOf(password.html)).toBe('sm');
    const logout = await b.go('/logout');
    expect(langOf(logout.html)).toBe('sm');
    expect(textOf(logout.html)).toContain(sm('pages:logout.title'));
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.html)?.[1] ?? '';
    const out = await b.go('/session/end/confirm', { form: { xsrf, logout: 'yes' } });
    expect(langOf(out.html)).toBe('sm');
    expect(textOf(out.html)).toContain(sm('pages:signed_out.title'));
  });

  it('a choice made with the switcher outranks the account language', async () => {
    const person = newPerson('sw');
    const b = englishBrowser();
    const account = await signUpOnPage(b, { ...person, locale: 'sm' });
    expect(langOf(account.html)).toBe('sm');
    const toEnglish = /<a href="([^"]+)" lang="en"/.exec(account.html)?.[1];
    const english = await b.go(decode(toEnglish!));
    expect(langOf(english.html)).toBe('en');
    expect(textOf(english.html)).toContain(en('pages:account.title'));
  });
});

describe('a way back to the app', () => {
  it('an interaction that has finished leads back to the app itself; a uid not of this browser is ignored', async () => {
    const person = await samoanAccount();
    const b = englishBrowser();
    const flow = await startFlow(b);
    const login = await b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(flow.html, `${flow.base}/login`), username: person.email, password: person.password } });
    expect(login.url).toContain('/interaction/');
    const forgot = await b.go(`/password/forgot?interaction=${flow.uid}`);
    // The sign-in finished: the way back is the app's own address, where it starts a fresh sign-in.
    expect(hrefOf(forgot.html, en('api:pages.back_to_sign_in'))).toBe(RP);

    const stranger = englishBrowser();
    const other = await stranger.go(`/password/forgot?interaction=${flow.uid}`);
    expect(hrefOf(other.html, en('api:pages.back_to_sign_in'))).toBe('/login');
    expect(actionOf(other.html, '/password/forgot')).toBe('/password/forgot?ui_locales=en');
  });
});

describe('small things a newcomer sees', () => {
  it('/favicon.ico is not a 404: it leads to the icon served from our origin', async () => {
    const b = new Browser(server.url);
    const res = await b.request('/favicon.ico');
    expect(res.status).not.toBe(404);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/static\/favicon\.[0-9a-f]{10}\.svg$/);
    const icon = await b.request(location);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    const page = await b.go('/password/forgot');
    expect(page.html).toContain(`<link rel="icon" href="${location}" type="image/svg+xml">`);
  });

  it('sign-up asks for names first, then email or phone (at least one), then the password', async () => {
    for (const [lang, t] of [['en', en], ['sm', sm]] as const) {
      const b = englishBrowser();
      const flow = await startFlow(b, { ui_locales: lang });
      const reg = await b.go(`${flow.base}/register`);
      const order = ['given_name', 'family_name', 'matai_title', 'email', 'phone_number', 'password'].map((n) => reg.html.indexOf(`name="${n}"`));
      expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] ?? 0))), `${lang} ${order.join(',')}`).toBe(true);
      expect(textOf(reg.html)).toContain(t('pages:register.contact_legend'));
      const optional = `(${t('optional')})`;
      const labelOf = (name: string) => textOf(/<label for="f-([a-z_]+)">[\s\S]*?<\/label>/g.exec(reg.html.slice(reg.html.indexOf(`<label for="f-${name}"`)))?.[0] ?? '');
      expect(labelOf('email')).not.toContain(optional);
      expect(labelOf('phone_number')).not.toContain(optional);
      expect(labelOf('family_name')).toContain(optional);
      // The show-password script is allowed on this page only by its own CSP line.
      expect(reg.res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(reg.html).toMatch(/<script src="\/static\/pw\.[0-9a-f]{10}\.js" defer><\/script>/);
    }
  });

  it('the account page says where the link went and sends it again', async () => {
    const person = newPerson('resend');
    const b = englishBrowser();
    const account = await signUpOnPage(b, { ...person, locale: 'en' });
    expect(textOf(account.html)).toContain(en('pages:account.sent_email', { email: person.email }));
    expect(account.res.headers.get('content-security-policy')).not.toContain('script-src');
    const before = (await outbox(server, person.email)).filter((m) => m.template === 'verify_email').length;
    const resent = await b.go('/account/verify/resend', { form: { _csrf: csrfOf(account.html, '/account/verify/resend') } });
    expect(resent.url).toBe(`${server.url}/account?done=resent`);
    expect(textOf(resent.html)).toContain(en('pages:account.done_resent'));
    expect((await outbox(server, person.email)).filter((m) => m.template === 'verify_email').length).toBe(before + 1);
    // Forged: refused without sending anything.
    const forged = await b.request('/account/verify/resend', { form: { _csrf: 'nope' } });
    expect(forged.status).toBe(403);
    // Asking too often is said as a wait, on the account page.
    let last = resent;
    for (let i = 0; i < 10 && last.res.status !== 429; i++) last = await b.go('/account/verify/resend', { form: { _csrf: csrfOf(last.html, '/account/verify/resend') } });
    expect(last.res.status).toBe(429);
    expect(last.res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last.html).toContain('role="alert"');
  });
});
