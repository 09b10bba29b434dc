// The admin console in a real browser (Debian's Chromium, JavaScript off), in English and in
// Samoan: an owner bootstrapped with `bwid admins grant` (a real process) signs in through the
// hosted pages, finds a person by part of their email, disables them (their refresh token is
// then invalid_grant, their password sign-in is refused, their API token gets 401), enables
// them, and sees both admin actions in the audit log.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeKey, translator } from '../../../src/i18n/i18n.ts';
import { bearer, call, firstPartyClient, login, PASSWORD } from '../../support/api.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { bwid, person } from './support.ts';

let server: TestServer;
let clientId: string;

beforeAll(async () => {
  server = await startTestServer({ ADMIN_REQUIRE_MFA: 'false' });
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

async function refresh(refreshToken: string) {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

for (const lang of ['en', 'sm'] as const) {
  describe.runIf(browserTestsEnabled)(`admin console in a real browser (${lang})`, () => {
    const t = translator(lang);
    const en = translator('en');
    let context: BrowserContext;
    let page: Page;
    let owner: { email: string; sub: string };
    let target: { email: string; sub: string };

    beforeAll(async () => {
      // The console speaks the owner's language (their account's, as the account area does).
      owner = await person(server, 'Owner', lang);
      target = await person(server, 'Target');
      const granted = await bwid(server, 'admins', 'grant', owner.email, '--role', 'owner', '--json');
      expect(granted.code, granted.stderr).toBe(0);
      expect(JSON.parse(granted.stdout)).toEqual({ sub: owner.sub, role: 'owner' });
      context = await launchChromium({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      page = await context.newPage();
    });
    afterAll(async () => context?.close());

    async function expectHeading(key: string) {
      const heading = (await page.locator('h1').innerText()).trim();
      expect(heading.startsWith(t(runtimeKey(key)))).toBe(true);
      if (lang === 'sm') expect(heading.startsWith(en(runtimeKey(key)))).toBe(false);
    }
    const button = (key: string) => page.getByRole('button', { name: t(runtimeKey(key)), exact: true });

    it('signs the owner in, finds the person, disables them (tokens end, sign-in refused), enables them, and shows the audit log', async () => {
      const session = await login(server, clientId, target.email);
      expect(session.status).toBe(200);
      const { refresh_token: refreshToken, access_token: accessToken } = session.json as { refresh_token: string; access_token: string };
      expect((await call(server, 'GET', '/profile', undefined, bearer(accessToken))).status).toBe(200);

      await page.goto(`${server.url}/admin?ui_locales=${lang}`);
      await page.locator('#f-username').fill(owner.email);
      await page.locator('#f-password').fill(PASSWORD);
      await page.locator('form[action$="/login"] button[type=submit]').first().click();
      await page.waitForURL(`${server.url}/admin`);
      await expectHeading('admin:overview.title');

      await page.getByRole('link', { name: t('admin:nav.people'), exact: true }).click();
      await expectHeading('admin:people.title');
      const part = target.email.slice(0, target.email.indexOf('@') - 1).toUpperCase();
      await page.locator('#f-q').fill(part);
      await button('admin:people.search').click();
      await page.locator(`a[href="/admin/people/${target.sub}"]`).click();
      await expectHeading('admin:person.title');

      await page.locator('#f-note-disable').fill('lost phone');
      await button('admin:person.disable').click();
      await expect.poll(() => page.locator('[role=status]').innerText()).toBe(t('admin:done.disabled'));

      expect(await refresh(refreshToken)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
      expect((await login(server, clientId, target.email)).status).toBe(401);
      expect((await call(server, 'GET', '/profile', undefined, bearer(accessToken))).status).toBe(401);

      await button('admin:person.enable').click();
      await expect.poll(() => page.locator('[role=status]').innerText()).toBe(t('admin:done.enabled'));
      expect((await login(server, clientId, target.email)).status).toBe(200);

      await page.getByRole('link', { name: t('admin:nav.audit'), exact: true }).click();
      await expectHeading('admin:audit.title');
      await page.locator('#f-person').fill(target.email);
      await button('admin:audit.filter').click();
      const rows = page.locator('table.events tbody tr');
      const types = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-type')));
      expect(types).toContain('account_disabled');
      expect(types).toContain('account_enabled');
      const disabledRow = page.locator('tr[data-type="account_disabled"]').first();
      expect(await disabledRow.innerText()).toContain(`admin:${owner.sub}`);
      expect(await disabledRow.innerText()).toContain('127.0.0.1');
      expect(await disabledRow.innerText()).toContain('lost phone');
    });

    // The failed password sign-in (recorded by verifyPassword), with its IP, in the console's audit log.
    it('shows a failed sign-in with its IP address in the audit log', async () => {
      expect((await login(server, clientId, target.email, 'not the password')).status).toBe(401);
      await page.goto(`${server.url}/admin/audit?type=sign_in&outcome=failure&person=${encodeURIComponent(target.email)}`);
      const row = page.locator('tr[data-type="sign_in"][data-outcome="failure"]').first();
      expect(await row.innerText()).toContain('127.0.0.1');
    });
  });
}
