// Several origins in one "browser" over fetch: one cookie jar per origin (test/support/browser.ts),
// redirects followed across origins (our pages, an upstream IdP, an app). Not a test file.
import { Browser } from './browser.ts';

export type Page = { res: Response; url: string; html: string; status: number };

export class MultiBrowser {
  #jars = new Map<string, Browser>();
  constructor(readonly headers: Record<string, string> = {}) {}

  jar(origin: string): Browser {
    let b = this.#jars.get(origin);
    if (!b) this.#jars.set(origin, (b = new Browser(origin, this.headers)));
    return b;
  }

  /** One request, no redirects. */
  request(url: string, init: { form?: Record<string, string> } = {}): Promise<Response> {
    return this.jar(new URL(url).origin).request(url, init);
  }

  /** Follows every redirect, on any origin, to the first page. */
  async go(url: string, init: { form?: Record<string, string> } = {}, opts: { stopAt?: RegExp } = {}): Promise<Page> {
    let current = url;
    let res = await this.request(current, init);
    for (let i = 0; i < 30 && res.status >= 300 && res.status < 400; i++) {
      current = new URL(res.headers.get('location') ?? '', current).toString();
      if (opts.stopAt?.test(current)) return { res, url: current, html: '', status: res.status };
      res = await this.request(current);
    }
    return { res, url: current, html: await res.text(), status: res.status };
  }
}
