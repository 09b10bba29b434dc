// Owns: the rule that a translation carries the same {{variables}} and $t() references as English,
// so no name, count or link is lost (or invented) in another language.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE } from '../../src/i18n/i18n.ts';
import { loadFlatLocales, placeholders } from './locale-text.ts';

const { languages, text } = loadFlatLocales();
const en = text[DEFAULT_LOCALE] ?? new Map<string, string>();

describe.each(languages.filter((l) => l !== DEFAULT_LOCALE))('%s interpolation', (lang) => {
  it('has the same variables as English in every key', () => {
    const theirs = text[lang] ?? new Map<string, string>();
    const differ = [...en]
      .filter(([k]) => theirs.has(k))
      .map(([k, v]) => ({ key: k, en: placeholders(v), [lang]: placeholders(theirs.get(k) ?? '') }))
      .filter((d) => JSON.stringify(d.en) !== JSON.stringify(d[lang]));
    expect(differ).toEqual([]);
  });

  it('keeps HTML tags in the same number as English', () => {
    const tags = (s: string) => (s.match(/<\/?[a-z][^>]*>/gi) ?? []).map((t) => t.replace(/\s.*$/, '').toLowerCase()).sort();
    const theirs = text[lang] ?? new Map<string, string>();
    const differ = [...en].filter(([k, v]) => theirs.has(k) && JSON.stringify(tags(v)) !== JSON.stringify(tags(theirs.get(k) ?? ''))).map(([k]) => k);
    expect(differ).toEqual([]);
  });
});

describe('placeholders()', () => {
  it('reads the i18next forms', () => {
    expect(placeholders('Hi {{name}}, {{- link}} in {{count, number}} $t(common:brand)')).toEqual(['$t(common:brand)', '{{count}}', '{{link}}', '{{name}}']);
  });
});
