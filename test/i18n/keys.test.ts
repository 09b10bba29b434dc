// Owns: the rule that every language has exactly English's namespaces and keys — nothing
// missing (a page would fall back to English), nothing stray (a typo or a key English dropped).
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE } from '../../src/i18n/i18n.ts';
import { loadFlatLocales } from './locale-text.ts';

const { languages, namespaces, text } = loadFlatLocales();
const others = languages.filter((l) => l !== DEFAULT_LOCALE);
const en = text[DEFAULT_LOCALE] ?? new Map<string, string>();

describe('locale files', () => {
  it('include English and at least one other language (Samoan)', () => {
    expect(languages).toContain(DEFAULT_LOCALE);
    expect(languages).toContain('sm');
  });

  describe.each(others)('%s', (lang) => {
    it('has the same namespaces (files) as English', () => {
      expect(namespaces[lang]).toEqual(namespaces[DEFAULT_LOCALE]);
    });

    it('has every English key', () => {
      const theirs = text[lang] ?? new Map<string, string>();
      const missing = [...en.keys()].filter((k) => !theirs.has(k));
      expect(missing, `keys in ${DEFAULT_LOCALE} but not in ${lang}`).toEqual([]);
    });

    it('has no key English lacks', () => {
      const theirs = text[lang] ?? new Map<string, string>();
      const stray = [...theirs.keys()].filter((k) => !en.has(k));
      expect(stray, `keys in ${lang} but not in ${DEFAULT_LOCALE}`).toEqual([]);
    });

    it('leaves no value empty where English has text', () => {
      const theirs = text[lang] ?? new Map<string, string>();
      const empty = [...en].filter(([k, v]) => v.trim() !== '' && theirs.get(k)?.trim() === '').map(([k]) => k);
      expect(empty).toEqual([]);
    });
  });
});
