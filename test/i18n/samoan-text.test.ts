// Owns: the rules that make Samoan text Samoan — not English left in place, the ʻokina written
// as the letter U+02BB (never an apostrophe or a curly quote), and the project's spelling choices.
// Pages and emails keep the full orthography; SMS texts (sms:) are written in plain letters, as
// people text in Samoa: an ʻokina or a macron would make the message UCS-2 (70 characters).
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE } from '../../src/i18n/i18n.ts';
import { isGsm7 } from '../../src/factors/sms-segments.ts';
import { ALLOWED_IDENTICAL, apostropheOkina, hasNoWords, loadFlatLocales, VOWEL, visibleText } from './locale-text.ts';

const { text } = loadFlatLocales();
const en = text[DEFAULT_LOCALE] ?? new Map<string, string>();
const sm = text['sm'] ?? new Map<string, string>();
const allowed = ALLOWED_IDENTICAL['sm'] ?? new Set<string>();
const isSms = (key: string) => key.startsWith('sms:');

describe('Samoan (sm) text', () => {
  it('is not English left in place (only brand names and the like may stay identical)', () => {
    const identical = [...en]
      .filter(([k, v]) => sm.get(k) === v && v.trim() !== '' && !hasNoWords(v) && !allowed.has(v.trim()))
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
    expect(identical).toEqual([]);
  });

  it('writes the ʻokina as U+02BB, never as an apostrophe or curly quote', () => {
    const bad = [...sm].flatMap(([k, v]) => apostropheOkina(v).map((snippet) => `${k}: …${snippet}…`));
    expect(bad).toEqual([]);
  });

  it('puts a vowel after every ʻokina (a glottal stop always comes before a vowel)', () => {
    const bad = [...sm].filter(([, v]) => new RegExp(`ʻ(?![${VOWEL}])`, 'u').test(visibleText(v))).map(([k, v]) => `${k} = ${v}`);
    expect(bad).toEqual([]);
  });

  it('spells the marked words the glossary fixes on pages and in emails: faʻa-, Sāmoa, ʻoe, ʻua', () => {
    // Words written without their marks are the common slip; these are checkable without a
    // dictionary because the unmarked form is not another word a page would use (locales/sm/GLOSSARY.md).
    const unmarked = [/(?<!\p{L})faa/iu, /(?<!\p{L})Samoa(?!\p{L})/u, /(?<!\p{L})oe(?!\p{L})/iu, /(?<!\p{L})ua(?!\p{L})/iu];
    const bad = [...sm].filter(([k, v]) => !isSms(k) && unmarked.some((re) => re.test(visibleText(v)))).map(([k, v]) => `${k} = ${v}`);
    expect(bad).toEqual([]);
  });

  it('writes SMS texts in plain letters: no ʻokina, no macron, nothing outside GSM 03.38', () => {
    const sms = [...sm].filter(([k]) => isSms(k));
    expect(sms.length).toBeGreaterThan(5);
    const bad = sms.filter(([, v]) => !isGsm7(v) || /[ʻāēīōūĀĒĪŌŪ]/u.test(v)).map(([k, v]) => `${k} = ${v}`);
    expect(bad).toEqual([]);
  });

  it('uses the glossary terms, not the alternatives it set aside', () => {
    // locales/sm/GLOSSARY.md explains each: e.g. MediaWiki's "Faʻaola" (switch on) for sign in,
    // "Tape" (delete) for sign out; loans written with an ʻokina they do not take.
    const setAside: [RegExp, string][] = [
      [/(?<!\p{L})faʻaola/iu, 'sign in is Ulufale'],
      [/(?<!\p{L})saini(?!\p{L})/iu, 'sign in is Ulufale'],
      [/(?<!\p{L})tape(?!\p{L})/iu, 'sign out is Ulufafo'],
      [/(?<!\p{L})ʻimeli/iu, 'email is imeli'],
      [/(?<!\p{L})ʻupu(?!\p{L})/iu, 'password is upu ulufale'],
      [/faʻalilolilo/iu, 'password is upu ulufale'],
      [/faʻatagaga/iu, 'access is faʻatagana'],
    ];
    const bad = [...sm].flatMap(([k, v]) => setAside.filter(([re]) => re.test(visibleText(v))).map(([, why]) => `${k}: ${why}`));
    expect(bad).toEqual([]);
  });

  it('uses precomposed macron vowels (NFC), not a vowel plus a combining macron', () => {
    const bad = [...sm].filter(([, v]) => v !== v.normalize('NFC')).map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('the ʻokina rule itself catches apostrophes and lets real quotes and ʻ through', () => {
    expect(apostropheOkina("Fa'amolemole")).toHaveLength(1);
    expect(apostropheOkina('Fa’amolemole')).toHaveLength(1);
    expect(apostropheOkina("'Ua uma")).toHaveLength(1);
    expect(apostropheOkina('‘O le ā?')).toHaveLength(1);
    expect(apostropheOkina('Faʻamolemole, ʻua uma')).toEqual([]);
    expect(apostropheOkina('Oomi le “Faʻataga”.')).toEqual([]);
    expect(apostropheOkina("<a href='/account'>{{name}}</a>")).toEqual([]);
  });
});
