// views/partials/second-factor-passkey.ejs, rendered as the second-factor page will include
// it: a passkey form for static/passkeys.js with its options path, the page's token, and the
// "needs JavaScript" note in both languages; nothing at all without a passkeyAction.
import path from 'node:path';
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n/i18n.ts';
import { VIEWS_DIR } from '../../../src/web/pages/render.ts';

const render = (locals: Record<string, unknown>) =>
  ejs.renderFile(path.join(VIEWS_DIR, 'partials/second-factor-passkey.ejs'), locals, { views: [VIEWS_DIR] });

describe('second-factor passkey partial', () => {
  for (const lang of ['en', 'sm']) {
    it(`offers "use a passkey instead" (${lang})`, async () => {
      const t = translator(lang);
      const html = await render({ t, csrf: 'tok', passkeyAction: '/interaction/abc/second-factor/passkey' });
      expect(html).toContain('data-passkey="second-factor"');
      expect(html).toContain('data-options="/interaction/abc/second-factor/passkey/options"');
      expect(html).toContain('name="_csrf" value="tok"');
      expect(html).toContain(t('passkeys:second_factor.button'));
      expect(html).toContain(t('passkeys:second_factor.needs_js'));
      expect(html).toMatch(/<button type="button" class="[^"]*pk-start" hidden>/);
    });
  }
  it('renders nothing without a passkeyAction', async () => {
    expect((await render({ t: translator('en'), csrf: 'tok' })).trim()).toBe('');
  });
});
