// A person changing their own phone number keeps a way in (src/connections/ways-in.ts): an
// account without a password whose only way in is its verified mobile (sign-in codes by text)
// cannot swap it for a number that takes no text message (a Samoan landline). Over the JSON
// API the request is refused with 409 last_way_in before any code is sent; a mobile, or the
// same landline on an account that still has its password, is fine. A change requested while
// another way in remained is refused when its code comes back if that way is gone by then:
// 409 over the API, a page in the person's language, and the number stays as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/i18n.ts';
import { bearer, call, firstPartyClient, login, outbox, PASSWORD, register, smsCode } from '../support/api.ts';
import { Browser, csrfOf, formActions, textOf } from '../support/browser.ts';
import { newMobile } from '../support/code-sign-in.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

// Samoan fixed lines (+685 2x xxx): libphonenumber says FIXED_LINE, so no sign-in code goes there.
let landlineN = Math.floor(Math.random() * 900);
const newLandline = () => `+68522${String(++landlineN % 1000).padStart(3, '0')}`;

type Fields = Record<string, { code: string; description: string }>;

/** An account whose phone is verified (its email is not), signed in through POST /login; `passwordless` then drops its password. */
async function mobileOnly() {
  const phone = newMobile();
  const { email, sub } = await register(server, { phone_number: phone });
  const res = await login(server, clientId, email);
  expect(res.status).toBe(200);
  await server.database.db.updateTable('accounts').set({ phone_number_verified: true }).where('id', '=', sub).execute();
  const passwordless = () => server.database.db.updateTable('accounts').set({ password_hash: null }).where('id', '=', sub).execute();
  return { phone, email, sub, token: res.json['access_token'] as string, passwordless };
}

const phoneOf = (sub: string) => server.database.db.selectFrom('accounts').select(['phone_number', 'phone_number_verified']).where('id', '=', sub).executeTakeFirstOrThrow();

describe('changing the only way in to a number that takes no text message', () => {
  it('is refused with 409 last_way_in and sends nothing; a mobile is accepted', async () => {
    const { phone, sub, token, passwordless } = await mobileOnly();
    await passwordless();
    const landline = newLandline();
    const refused = await call(server, 'PATCH', '/update', { phone_number: landline }, bearer(token));
    expect(refused.status).toBe(409);
    expect(refused.json['error']).toBe('last_way_in');
    expect(refused.json['error_description']).toBe(translator('en')('api:errors.last_way_in'));
    expect((refused.json['fields'] as Fields)['phone_number']).toEqual({ code: 'last_way_in', description: translator('en')('errors:fields.last_way_in') });
    expect(await outbox(server, landline)).toEqual([]);
    expect(await phoneOf(sub)).toEqual({ phone_number: phone, phone_number_verified: true });

    const mobile = newMobile();
    const moved = await call(server, 'PATCH', '/update', { phone_number: mobile }, bearer(token));
    expect(moved.status).toBe(200);
    expect(moved.json['pending_phone_number']).toBe(mobile);
  });

  it('is allowed while the password remains; the code is refused (API) if the password is gone when it comes back, and nothing changes', async () => {
    const { phone, sub, token, passwordless } = await mobileOnly();
    const landline = newLandline();
    const asked = await call(server, 'PATCH', '/update', { phone_number: landline, current_password: PASSWORD }, bearer(token));
    expect(asked.status).toBe(200);
    expect(asked.json['pending_phone_number']).toBe(landline);
    const code = smsCode((await outbox(server, landline))[0]?.content?.text ?? '');
    await passwordless();
    const refused = await call(server, 'POST', '/verify/phone', { phone_number: landline, code }, bearer(token));
    expect(refused.status).toBe(409);
    expect(refused.json['error']).toBe('last_way_in');
    expect(await phoneOf(sub)).toEqual({ phone_number: phone, phone_number_verified: true });
  });

  for (const lang of ['en', 'sm'] as const) {
    it(`the verify-phone page says why, in ${lang}, and a password account takes the landline`, async () => {
      const t = translator(lang);
      const { phone, sub, token, passwordless } = await mobileOnly();
      const landline = newLandline();
      expect((await call(server, 'PATCH', '/update', { phone_number: landline, current_password: PASSWORD }, bearer(token))).status).toBe(200);
      const code = smsCode((await outbox(server, landline))[0]?.content?.text ?? '');
      const b = new Browser(server.url, { 'accept-language': lang });
      const form = await b.go(`/verify/phone?phone_number=${encodeURIComponent(landline)}`);
      const action = formActions(form.html)[0] ?? '';
      expect(action).toMatch(/^\/verify\/phone/);

      await passwordless();
      const refused = await b.go(action, { form: { _csrf: csrfOf(form.html, action), phone_number: landline, code } });
      expect(refused.res.status).toBe(409);
      expect(refused.html).toContain(`lang="${lang}"`);
      expect(textOf(refused.html)).toContain(t('errors:fields.last_way_in'));
      if (lang === 'sm') expect(t('errors:fields.last_way_in')).not.toBe(translator('en')('errors:fields.last_way_in'));
      expect(await phoneOf(sub)).toEqual({ phone_number: phone, phone_number_verified: true });

      // With the password back, the same code (not used up by the refusal) takes effect.
      await server.database.db.updateTable('accounts').set({ password_hash: 'x' }).where('id', '=', sub).execute();
      const done = await b.go(action, { form: { _csrf: csrfOf(refused.html, action), phone_number: landline, code } });
      expect(done.res.status).toBe(200);
      expect(await phoneOf(sub)).toEqual({ phone_number: landline, phone_number_verified: true });
    });
  }
});
