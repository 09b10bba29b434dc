// A minimal browser for page tests: a cookie jar (name, path) over fetch, manual redirects,
// and helpers to read forms out of our HTML. Not a test file: imported by test/web/account-area/ and test/web/interaction/.
import crypto from 'node:crypto';

type Cookie = { name: string; value: string; path: string; persistent: boolean };

export class Browser {
  cookies: Cookie[] = [];
  lastUrl = '';
  constructor(
    readonly origin: string,
    readonly headers: Record<string, string> = {},
  ) {}

  #cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  #store(res: Response, url: URL) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? url.pathname.replace(/\/[^/]*$/, '') ?? '/';
      const expired = attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()) || attrs.some((a) => /^max-age=0$/i.test(a));
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      const persistent = attrs.some((a) => /^(expires|max-age)=/i.test(a));
      if (!expired && value !== '') this.cookies.push({ name, value, path, persistent });
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.value;
  }

  /** Whether the named cookie outlives the browser (it carries Expires or Max-Age). */
  isPersistent(name: string): boolean | undefined {
    return this.cookies.find((c) => c.name === name)?.persistent;
  }

  /** One request, no redirect following. */
  async request(target: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(target, this.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...this.headers, ...init.headers };
    const cookie = this.#cookieHeader(url);
    if (cookie) headers['cookie'] = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.#store(res, url);
    this.lastUrl = url.toString();
    return res;
  }

  /** Follows same-origin redirects; stops at the first page, or at a redirect elsewhere. */
  async go(target: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ res: Response; url: string; html: string }> {
    let res = await this.request(target, init);
    let url = new URL(target, this.origin).toString();
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.origin !== this.origin) return { res, url: next.toString(), html: '' };
      url = next.toString();
      res = await this.request(url);
    }
    return { res, url, html: await res.text() };
  }
}

/** The hidden CSRF token of the form posting to `action` (or of the first form). */
export function csrfOf(html: string, action?: string): string {
  const forms = [...html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = action ? forms.find((f) => decode(f[1] ?? '') === action) : forms[0];
  const token = form?.[2]?.match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error(`no csrf token for form ${action ?? '(first)'}`);
  return token;
}

export function formActions(html: string): string[] {
  return [...html.matchAll(/<form[^>]*action="([^"]*)"/g)].map((m) => decode(m[1] ?? ''));
}

export function inputValue(html: string, name: string): string | undefined {
  const tag = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  const v = tag?.match(/value="([^"]*)"/)?.[1];
  return v === undefined ? undefined : decode(v);
}

export const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Visible text of a page, roughly: tags dropped, entities decoded. */
export const textOf = (html: string) => decode(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();

export function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(params: Record<string, string>): string {
  const { challenge } = pkce();
  const q = new URLSearchParams({ response_type: 'code', scope: 'openid', state: crypto.randomBytes(8).toString('hex'), code_challenge: challenge, code_challenge_method: 'S256', ...params });
  return `/auth?${q.toString()}`;
}

/**
 * Signs up through the hosted sign-up page as a person would: GET `path` (/register, maybe
 * with a query), then its own form (action and CSRF token) posted with `fields`. Returns the
 * page the browser lands on, and the sign-up page itself as `form`.
 */
export async function signUpOnPage(b: Browser, fields: Record<string, string>, path = '/register') {
  const form = await b.go(path);
  const action = form.html.match(/<form method="post" action="([^"]+\/register)"/)?.[1];
  if (!action) throw new Error(`no sign-up form at ${path}`);
  return { ...(await b.go(action, { form: { _csrf: csrfOf(form.html, action), ...fields } })), form };
}

let counter = 0;
/** A fresh identity for one test: unique email, a password not on any common list. */
export function newPerson(tag = 'p') {
  counter += 1;
  const id = `${tag}${Date.now().toString(36)}${counter}${crypto.randomBytes(3).toString('hex')}`;
  return { email: `${id}@example.ws`, password: `talofa lava ${id} niu`, given_name: 'Sina', family_name: 'Tuilagi', matai_title: 'Tuiātua' };
}
