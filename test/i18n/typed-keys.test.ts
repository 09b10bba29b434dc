// Translation keys are a type (src/i18n/keys.ts): `npm run typecheck` refuses a key that is not
// in locales/en. The @ts-expect-error lines below are the proof: if a made-up key ever type
// checked, the directive itself would become an error. At run time, a missing key falls back.
import { describe, expect, it } from 'vitest';
import { runtimeKey, translator } from '../../src/i18n/i18n.ts';

describe('typed translation keys', () => {
  it('accepts real keys and refuses made-up ones at compile time', () => {
    const t = translator('sm');
    expect(t('pages:login.title')).not.toBe('pages:login.title');
    // @ts-expect-error: not a key of locales/en/pages.json
    expect(t('pages:login.no_such_key')).toBe('login.no_such_key');
    // A key built at run time is marked, and ends its fallbacks with a checked key.
    expect(t([runtimeKey('errors:fields.no_such_code'), 'api:errors.invalid_field'])).toBe(t('api:errors.invalid_field'));
  });
});
