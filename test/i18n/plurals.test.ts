// Owns: plural forms. Node's ICU has no Samoan plural rules, so i18next resolves "sm" with the
// English categories (one/other); Samoan must therefore carry the same _one/_other keys as English,
// and both counts must come back in Samoan through the real translator.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, runtimeKey, translator } from '../../src/i18n/i18n.ts';
import { loadFlatLocales, splitPlural } from './locale-text.ts';

const { languages, text } = loadFlatLocales();
const en = text[DEFAULT_LOCALE] ?? new Map<string, string>();

/** base key → the plural suffixes it has in one language. */
function pluralGroups(flat: Map<string, string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of flat.keys()) {
    const { base, suffix } = splitPlural(key);
    if (suffix) groups.set(base, [...(groups.get(base) ?? []), suffix].sort());
  }
  return groups;
}

const enGroups = pluralGroups(en);

describe.each(languages.filter((l) => l !== DEFAULT_LOCALE))('%s plurals', (lang) => {
  it('has the same plural suffixes as English for every plural key', () => {
    const theirs = pluralGroups(text[lang] ?? new Map<string, string>());
    const differ = [...enGroups].filter(([base, sfx]) => JSON.stringify(theirs.get(base) ?? []) !== JSON.stringify(sfx)).map(([base, sfx]) => ({ key: base, en: sfx, [lang]: theirs.get(base) ?? [] }));
    expect(differ).toEqual([]);
  });

  it('resolves count 1 and count 5 to its own text through translator()', () => {
    const t = translator(lang);
    const tEn = translator(DEFAULT_LOCALE);
    const wrong: string[] = [];
    for (const base of enGroups.keys()) {
      const [ns, key] = base.split(/:(.*)/s) as [string, string];
      for (const count of [1, 5]) {
        const own = t(runtimeKey(key), { ns, count });
        if (own === tEn(runtimeKey(key), { ns, count }) || own === key) wrong.push(`${base} (count ${count}) = ${own}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('plural rules on this runtime', () => {
  it('give Samoan the English categories (one, other)', () => {
    expect(new Intl.PluralRules('sm').resolvedOptions().pluralCategories.sort()).toEqual(['one', 'other']);
  });
});

describe('i18next plural fallback for a language without CLDR rules', () => {
  it('picks _one for 1 and _other for 5 in "sm"', async () => {
    const { default: i18next } = await import('i18next');
    const inst = i18next.createInstance();
    await inst.init({
      lng: 'sm', fallbackLng: 'en', initImmediate: false, showSupportNotice: false,
      resources: { en: { t: { n_one: 'one', n_other: 'other' } }, sm: { t: { n_one: 'tasi', n_other: 'tele' } } },
      defaultNS: 't',
    });
    expect(inst.t('n', { count: 1 })).toBe('tasi');
    expect(inst.t('n', { count: 5 })).toBe('tele');
  });
});
