// The account area's two-step pages over HTTP (no browser), as someone holding a signed-in
// browser would try them: turning it on asks for the password before the app's key is shown
// (none, a wrong one, the right one; a code posted without the proof is refused), and an
// account without a password needs a sign-in from the last five minutes instead, else it is
// told, in its language, to sign in again through a link that comes back to the page. Such an
// account makes new recovery codes and turns two-step off with a code and a recent sign-in.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasTotp } from '../../../src/factors/index.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { auditCount, expectAuditEvent } from '../../support/audit.ts';
import { Browser, csrfOf, decode, formActions, inputValue, newPerson, signUpOnPage, textOf } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { codeSignIn, passwordlessAccount, subOf } from '../../support/code-sign-in.ts';
import { appCode } from '../../factors/enrol.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());
afterEach(() => vi.restoreAllMocks());

const en = translator('en');

/** Moves the clock `seconds` ahead for everything in this process (the server is here too). */
function later(seconds: number) {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + seconds * 1000);
}

const secretOf = (html: string) => html.match(/id="totp-secret">([A-Z2-7 ]+)</)?.[1]?.replace(/\s+/g, '') ?? '';

/** A new account with a password, signed up through GET /register, on /account. */
async function withPassword() {
  const b = new Browser(server.url);
  const person = newPerson('ts');
  const account = await signUpOnPage(b, { ...person, locale: 'en' });
  expect(account.url).toBe(`${server.url}/account`);
  const sub = await subOf(server, person.email);
  return { b, person, sub };
}

/** The pending (not yet confirmed) app secret, read from the database as only an attacker with the server's key could. */
async function pendingSecret(sub: string): Promise<string> {
  const row = await server.database.db.selectFrom('totp_factors').select('secret_enc').where('account_sub', '=', sub).executeTakeFirstOrThrow();
  return server.box.open(row.secret_enc);
}

describe('turning on two-step verification with a password', () => {
  it('asks for the password before the key is shown: none or a wrong one is refused and recorded, the right one shows it', async () => {
    const { b, person, sub } = await withPassword();
    const ask = await b.go('/account/two-step/setup');
    expect(ask.res.status).toBe(200);
    expect(ask.html).toContain('name="password"');
    expect(ask.html).not.toContain('otpauth://');
    expect(ask.html).not.toContain('totp-secret');
    expect(textOf(ask.html)).toContain(en('two-step:owner_proof.lead_password'));

    const none = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(ask.html, '/account/two-step/setup/proof'), password: '' } });
    expect(none.res.status).toBe(400);
    expect(none.html).not.toContain('otpauth://');
    expect(textOf(none.html)).toContain(en('errors:fields.required'));
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'password_required' } });

    const wrong = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(none.html, '/account/two-step/setup/proof'), password: 'not the password at all' } });
    expect(wrong.res.status).toBe(400);
    expect(wrong.html).not.toContain('otpauth://');
    expect(textOf(wrong.html)).toContain(en('errors:fields.current_password_wrong'));
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'current_password_wrong' }, secrets: ['not the password at all'] });

    const shown = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(wrong.html, '/account/two-step/setup/proof'), password: person.password } });
    expect(shown.res.status).toBe(200);
    expect(shown.html).toContain('otpauth://totp/');
    const secret = secretOf(shown.html);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const pass = inputValue(shown.html, 'setup_pass') ?? '';
    expect(pass).not.toBe('');

    // A wrong code keeps the page, its key and its pass; the right one turns it on.
    const bad = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(shown.html, '/account/two-step/setup'), setup_pass: pass, code: '000000' } });
    expect(bad.res.status).toBe(400);
    expect(textOf(bad.html)).toContain(en('two-step:setup.wrong_code'));
    expect(secretOf(bad.html)).toBe(secret);
    const codes = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(bad.html, '/account/two-step/setup'), setup_pass: inputValue(bad.html, 'setup_pass') ?? '', code: await appCode(secret) } });
    expect(codes.res.status).toBe(200);
    expect(textOf(codes.html)).toContain(en('two-step:codes.title'));
    expect(await hasTotp(server.database.db, sub)).toBe(true);
    await expectAuditEvent(server.database.db, { type: 'factor_added', accountSub: sub, details: { factor: 'totp' } });
  });

  it('a code posted without the proof (a session alone) turns nothing on, and no key is even made', async () => {
    const { b, sub } = await withPassword();
    const ask = await b.go('/account/two-step/setup');
    // A wrong password makes no key; a made-up pass is refused.
    await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(ask.html, '/account/two-step/setup/proof'), password: 'wrong guess here' } });
    const secret = await pendingSecret(sub).catch(() => undefined);
    expect(secret).toBeUndefined(); // no key was even made without the proof
    const forged = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(ask.html, '/account/two-step/setup/proof'), setup_pass: `${Math.floor(Date.now() / 1000)}.${'A'.repeat(43)}`, code: '123456' } });
    expect(forged.res.status).toBe(403);
    expect(textOf(forged.html)).toContain(en('two-step:owner_proof.expired'));
    expect(forged.html).not.toContain('otpauth://');
    expect(await hasTotp(server.database.db, sub)).toBe(false);
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'proof_expired' } });
  });

  it('a pass from another session, or one older than ten minutes, is refused', async () => {
    const { b, person, sub } = await withPassword();
    const ask = await b.go('/account/two-step/setup');
    const shown = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(ask.html, '/account/two-step/setup/proof'), password: person.password } });
    const pass = inputValue(shown.html, 'setup_pass') ?? '';
    const secret = secretOf(shown.html);

    // The same person signed in on another browser: this browser's pass is not that session's.
    const other = new Browser(server.url);
    const login = await other.go('/login');
    const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
    const home = await other.go(action, { form: { _csrf: csrfOf(login.html, action), username: person.email, password: person.password } });
    const elsewhere = await other.go('/account/two-step/setup', { form: { _csrf: csrfOf(home.html), setup_pass: pass, code: await appCode(secret) } });
    expect(elsewhere.res.status).toBe(403);
    expect(await hasTotp(server.database.db, sub)).toBe(false);

    later(11 * 60);
    const stale = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(shown.html, '/account/two-step/setup'), setup_pass: pass, code: await appCode(secret, 1) } });
    expect(stale.res.status).toBe(403);
    expect(textOf(stale.html)).toContain(en('two-step:owner_proof.expired'));
    expect(stale.html).toContain('name="password"');
    expect(await hasTotp(server.database.db, sub)).toBe(false);
  });

  it('wrong passwords here count against the sign-in lock: the sixth waits (429, Retry-After)', async () => {
    const { b } = await withPassword();
    let page = await b.go('/account/two-step/setup');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      page = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(page.html, '/account/two-step/setup/proof'), password: `wrong password ${i}` } });
      statuses.push(page.res.status);
      if (page.res.status === 429) expect(Number(page.res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });
});

describe('an account without a password', () => {
  it('just signed in, sees the key at once (no password field) and turns it on', async () => {
    const { b, sub } = await passwordlessAccount(server);
    const shown = await b.go('/account/two-step/setup');
    expect(shown.res.status).toBe(200);
    expect(shown.html).not.toContain('name="password"');
    const secret = secretOf(shown.html);
    expect(secret).not.toBe('');
    const codes = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(shown.html, '/account/two-step/setup'), setup_pass: inputValue(shown.html, 'setup_pass') ?? '', code: await appCode(secret) } });
    expect(textOf(codes.html)).toContain(en('two-step:codes.title'));
    expect(await hasTotp(server.database.db, sub)).toBe(true);
  });

  for (const lang of ['en', 'sm'] as const) {
    it(`signed in six minutes ago, is told in ${lang} to sign in again, and the link signs in and comes back to set it up`, async () => {
      const t = translator(lang);
      const { b, phone, sub } = await passwordlessAccount(server, lang);
      later(6 * 60);
      const told = await b.go('/account/two-step/setup');
      expect(told.res.status).toBe(200);
      expect(told.html).toContain(`lang="${lang}"`);
      expect(told.html).not.toContain('otpauth://');
      expect(told.html).not.toContain('name="password"');
      expect(textOf(told.html)).toContain(t('two-step:owner_proof.lead_sign_in', { count: 5 }));
      if (lang === 'sm') expect(t('two-step:owner_proof.lead_sign_in', { count: 5 })).not.toBe(en('two-step:owner_proof.lead_sign_in', { count: 5 }));
      const link = decode(told.html.match(/<a class="btn" href="([^"]+)">/)?.[1] ?? '');
      expect(link).toBe('/account/sign-in-again?return=%2Faccount%2Ftwo-step%2Fsetup');
      // Nothing the session alone can post turns it on (the token of any account page is good here).
      const profile = await b.go('/account/profile');
      const refused = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(profile.html, '/account/profile'), password: '' } });
      expect(refused.res.status).toBe(403);
      expect(textOf(refused.html)).toContain(t('two-step:owner_proof.stale', { count: 5 }));
      await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'recent_sign_in_required' } });

      // The link asks to sign in even with a session (here: a new code), then returns here.
      const login = await b.go(link);
      expect(login.url).toMatch(/\/interaction\/[^/]+$/);
      expect(login.html).toContain(t('pages:login.title'));
      const back = await codeSignIn(server, b, login, phone, { seen: 1 });
      expect(back.url).toBe(`${server.url}/account/two-step/setup`);
      expect(back.html).toContain('otpauth://totp/');
      const secret = secretOf(back.html);
      const codes = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(back.html, '/account/two-step/setup'), setup_pass: inputValue(back.html, 'setup_pass') ?? '', code: await appCode(secret) } });
      expect(codes.html).toContain(t('two-step:codes.title'));
      expect(await hasTotp(server.database.db, sub)).toBe(true);
    });
  }

  it('makes new recovery codes and turns it off with a code and a recent sign-in; a stale one is told to sign in again', async () => {
    const { b, phone, sub } = await passwordlessAccount(server);
    const shown = await b.go('/account/two-step/setup');
    const secret = secretOf(shown.html);
    const first = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(shown.html, '/account/two-step/setup'), setup_pass: inputValue(shown.html, 'setup_pass') ?? '', code: await appCode(secret) } });
    const codes = [...first.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    expect(codes).toHaveLength(10);

    const manage = await b.go('/account/two-step');
    expect(manage.html).not.toContain('name="password"');
    expect(formActions(manage.html)).toContain('/account/two-step/recovery-codes');
    const renewed = await b.go('/account/two-step/recovery-codes', { form: { _csrf: csrfOf(manage.html, '/account/two-step/recovery-codes'), code: codes[0] ?? '' } });
    expect(renewed.res.status).toBe(200);
    const fresh = [...renewed.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[1]);
    await expectAuditEvent(server.database.db, { type: 'recovery_codes_created', accountSub: sub, details: { replaced: true } });

    // Six minutes on: the page offers a new sign-in instead of the form, and a post is refused.
    later(6 * 60);
    const stale = await b.go('/account/two-step');
    expect(formActions(stale.html)).not.toContain('/account/two-step/off');
    expect(textOf(stale.html)).toContain(en('two-step:owner_proof.manage_sign_in', { count: 5 }));
    expect(decode(stale.html.match(/<a class="btn" href="([^"]+)">/)?.[1] ?? '')).toBe('/account/sign-in-again?return=%2Faccount%2Ftwo-step');
    const offBefore = await auditCount(server.database.db, { type: 'factor_removed', accountSub: sub });
    const refused = await b.go('/account/two-step/off', { form: { _csrf: csrfOf(manage.html, '/account/two-step/recovery-codes'), code: fresh[0] ?? '' } });
    expect(refused.res.status).toBe(403);
    expect(textOf(refused.html)).toContain(en('two-step:owner_proof.stale', { count: 5 }));
    expect(await hasTotp(server.database.db, sub)).toBe(true);
    await expectAuditEvent(server.database.db, { type: 'factor_removed', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'recent_sign_in_required' } });
    expect(await auditCount(server.database.db, { type: 'factor_removed', accountSub: sub, outcome: 'success' })).toBe(0);
    expect(await auditCount(server.database.db, { type: 'factor_removed', accountSub: sub })).toBe(offBefore + 1);

    // Signing in again (code, then the app) comes back here; then the code turns it off. The
    // refused post did not spend fresh[0].
    const login = await b.go('/account/sign-in-again?return=%2Faccount%2Ftwo-step');
    const back = await codeSignIn(server, b, login, phone, { seen: 1, secret, step: 1 });
    expect(back.url).toBe(`${server.url}/account/two-step`);
    const off = await b.go('/account/two-step/off', { form: { _csrf: csrfOf(back.html, '/account/two-step/recovery-codes'), code: fresh[0] ?? '' } });
    expect(off.url).toBe(`${server.url}/account/two-step?done=off`);
    expect(await hasTotp(server.database.db, sub)).toBe(false);
    await expectAuditEvent(server.database.db, { type: 'factor_removed', accountSub: sub, details: { factor: 'totp' } });
  });
});

describe('an account with a password keeps needing it', () => {
  it('turning it off with a code and a fresh sign-in but no password is refused and recorded', async () => {
    const { b, person, sub } = await withPassword();
    const ask = await b.go('/account/two-step/setup');
    const shown = await b.go('/account/two-step/setup/proof', { form: { _csrf: csrfOf(ask.html, '/account/two-step/setup/proof'), password: person.password } });
    const first = await b.go('/account/two-step/setup', { form: { _csrf: csrfOf(shown.html, '/account/two-step/setup'), setup_pass: inputValue(shown.html, 'setup_pass') ?? '', code: await appCode(secretOf(shown.html)) } });
    const codes = [...first.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    const manage = await b.go('/account/two-step');
    expect(manage.html).toContain('name="password"');
    const refused = await b.go('/account/two-step/off', { form: { _csrf: csrfOf(manage.html, '/account/two-step/recovery-codes'), code: codes[0] ?? '' } });
    expect(refused.res.status).toBe(400);
    expect(textOf(refused.html)).toContain(en('errors:fields.required'));
    expect(await hasTotp(server.database.db, sub)).toBe(true);
    await expectAuditEvent(server.database.db, { type: 'factor_removed', outcome: 'failure', accountSub: sub, details: { factor: 'totp', reason: 'password_required' } });
  });
});

describe('signing in again', () => {
  it('asks even with a session, and returns only to an account page (anything else: /account)', async () => {
    const { b, person } = await withPassword();
    for (const [target, landing] of [
      ['/account/two-step', '/account/two-step'],
      ['//evil.example/account', '/account'],
      ['https://evil.example/', '/account'],
      ['/account/../admin', '/account'],
    ] as const) {
      const login = await b.go(`/account/sign-in-again?return=${encodeURIComponent(target)}`);
      expect(login.url, target).toMatch(/\/interaction\/[^/]+$/);
      const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
      expect(inputValue(login.html, 'username')).toBe(person.email);
      const done = await b.go(action, { form: { _csrf: csrfOf(login.html, action), username: person.email, password: person.password } });
      expect(done.url, target).toBe(`${server.url}${landing}`);
    }
  });
});
