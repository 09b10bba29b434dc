// Test helper: one sign-in at a relying party, as a person does it. openid-client builds the
// authorization request (PKCE, state, nonce) and checks the ID token; the hosted pages in
// between are answered by the caller, one page at a time, until the browser is sent back.
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { csrfOf, formActions, type Browser } from './browser.ts';

type Page = Awaited<ReturnType<Browser['go']>>;

/** The pages the person answered (by the names the answerer gave them) and where it ended. */
export type AppSignIn = { pages: string[]; callback: URL; claims?: Record<string, unknown> };

/** A hosted page as the answerer sees it: its interaction forms, and a post that carries the CSRF token. */
export type HostedPage = {
  page: Page;
  actions: string[];
  /** The form action ending in `suffix` (`/login`, `/consent`, …), if the page has one. */
  find(suffix: string): string | undefined;
  post(action: string, form?: Record<string, string>): Promise<Page>;
};

/** Answers one page: pushes its name onto `pages` and returns the page that follows. */
export type PageAnswer = (hosted: HostedPage, pages: string[]) => Promise<Page>;

export async function signInAtApp(
  config: oidc.Configuration,
  b: Browser,
  answer: PageAnswer,
  opts: { redirectUri: string; maxPages: number; params?: Record<string, string> },
): Promise<AppSignIn> {
  const params = opts.params ?? {};
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: opts.redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  const pages: string[] = [];
  const appOrigin = new URL(opts.redirectUri).origin;
  let page = await b.go(url.href);
  while (!page.url.startsWith(appOrigin)) {
    expect(pages.length, `looping: ${pages.join(' -> ')}`).toBeLessThan(opts.maxPages);
    expect(page.res.status, `${page.url} ${pages.join(' -> ')}`).toBe(200);
    const current = page;
    const actions = formActions(current.html).filter((a) => a.startsWith('/interaction/'));
    page = await answer(
      {
        page: current,
        actions,
        find: (suffix) => actions.find((a) => a.endsWith(suffix)),
        post: (action, form = {}) => b.go(action, { form: { _csrf: csrfOf(current.html, action), ...form } }),
      },
      pages,
    );
  }
  const callback = new URL(page.url);
  if (!callback.searchParams.get('code')) return { pages, callback };
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
    ...(params['max_age'] !== undefined ? { maxAge: Number(params['max_age']) } : {}),
  });
  return { pages, callback, claims: tokens.claims() as Record<string, unknown> };
}
