// Owns: signing in (or up) with a code over HTTP, as a test's browser does: a phone number on
// the hosted sign-in page, the code from the dev outbox, the sign-up step when the number is
// new, and the app's code when two-step verification is on. Also a passwordless account made
// that way, signed in on /account.
import { expect } from 'vitest';
import { outbox, smsCode } from './api.ts';
import { Browser, csrfOf, formActions } from './browser.ts';
import type { TestServer } from './server.ts';
import { appCode } from '../factors/enrol.ts';

let n = Math.floor(Math.random() * 80000) + 10000;
/** A Samoan mobile number no other test in this process has used. */
export const newMobile = () => `+68577${String(++n).padStart(5, '0')}`;

export async function subOf(server: TestServer, login: string): Promise<string> {
  const row = await server.database.db.selectFrom('accounts').select('id').where((eb) => eb.or([eb('email', '=', login), eb('phone_number', '=', login)])).executeTakeFirstOrThrow();
  return row.id;
}

/** The newest sign-in code sent to `phone`, after `seen` earlier ones. */
async function latestCode(server: TestServer, phone: string, seen: number): Promise<string> {
  const codes = (await outbox(server, phone)).filter((m) => m.template === 'sign_in_code');
  expect(codes.length).toBe(seen + 1);
  // Newest first (the dev outbox's order); a code appears once.
  return smsCode(codes[0]?.content?.text ?? '');
}

/**
 * Signs in on the hosted sign-in page the browser is on with a code to `phone` (signing up
 * when the number is new), and the app's code when two-step verification is on.
 */
export async function codeSignIn(server: TestServer, b: Browser, page: { html: string; url: string }, phone: string, opts: { seen: number; secret?: string; step?: number }) {
  const base = new URL(page.url).pathname;
  const sent = await b.go(`${base}/code`, { form: { _csrf: csrfOf(page.html, `${base}/code`), username: phone } });
  expect(sent.res.status).toBe(200);
  const code = await latestCode(server, phone, opts.seen);
  let next = await b.go(`${base}/code/verify`, { form: { _csrf: csrfOf(sent.html, `${base}/code/verify`), username: phone, code } });
  if (formActions(next.html).includes(`${base}/code/sign-up`)) {
    next = await b.go(`${base}/code/sign-up`, { form: { _csrf: csrfOf(next.html, `${base}/code/sign-up`), username: phone, code } });
  }
  if (formActions(next.html).includes(`${base}/second-factor`)) {
    next = await b.go(`${base}/second-factor`, { form: { _csrf: csrfOf(next.html, `${base}/second-factor`), code: await appCode(opts.secret ?? '', opts.step ?? 1) } });
  }
  return next;
}

/** A new passwordless account (a phone and a code), signed in on /account in `lang`. */
export async function passwordlessAccount(server: TestServer, lang: 'en' | 'sm' = 'en') {
  const b = new Browser(server.url, { 'accept-language': lang });
  const phone = newMobile();
  const login = await b.go('/login');
  const account = await codeSignIn(server, b, login, phone, { seen: 0 });
  expect(account.url).toBe(`${server.url}/account`);
  const sub = await subOf(server, phone);
  const hash = await server.database.db.selectFrom('accounts').select('password_hash').where('id', '=', sub).executeTakeFirstOrThrow();
  expect(hash.password_hash).toBeNull();
  return { b, phone, sub };
}
