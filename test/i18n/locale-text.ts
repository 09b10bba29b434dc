// Owns: the small helpers the locale tests share — flattening i18next resources into
// "namespace:dotted.key" → text, finding interpolation variables and plural suffixes, and the
// explicit allow-lists. Kept apart from the tests so each test file reads as a list of rules.
import { readLocaleResources, DEFAULT_LOCALE } from '../../src/i18n/i18n.ts';

export type FlatText = Map<string, string>;

/** The plural suffixes i18next (v21+ JSON format) appends to a key. */
export const PLURAL_SUFFIXES = ['_zero', '_one', '_two', '_few', '_many', '_other'] as const;

/** Values that may stay identical to English in another language, by language. Keep it short:
 * every entry is something a reader of that language sees exactly as written in English. */
export const ALLOWED_IDENTICAL: Record<string, ReadonlySet<string>> = {
  sm: new Set([
    'Bytewatchers ID', // brand name
    'Bytewatchers', // brand name
    'English', // the language switcher names each language in its own language
    'Gagana Sāmoa',
    'OpenID Connect',
    'you@example.com', // an e-mail placeholder is an address, not a word
    'name@example.com',
    'OpenID',
    'JSON',
    'SMS',
  ]),
};

/** Every language folder and its flattened text, English first. */
export function loadFlatLocales(): { languages: string[]; namespaces: Record<string, string[]>; text: Record<string, FlatText> } {
  const resources = readLocaleResources();
  const languages = Object.keys(resources).sort((a, b) => (a === DEFAULT_LOCALE ? -1 : b === DEFAULT_LOCALE ? 1 : a.localeCompare(b)));
  const namespaces: Record<string, string[]> = {};
  const text: Record<string, FlatText> = {};
  for (const lang of languages) {
    const byNs = resources[lang] ?? {};
    namespaces[lang] = Object.keys(byNs).sort();
    const flat: FlatText = new Map();
    for (const ns of namespaces[lang]) flatten(byNs[ns], `${ns}:`, flat);
    text[lang] = flat;
  }
  return { languages, namespaces, text };
}

/** Deep keys joined with '.', arrays by index; a non-string leaf is kept as its JSON so that a
 * type mismatch (string in one language, number in another) still shows up as a difference. */
function flatten(value: unknown, prefix: string, out: FlatText): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const sep = prefix.endsWith(':') ? '' : '.';
    for (const [k, v] of entries) flatten(v, `${prefix}${sep}${k}`, out);
    return;
  }
  out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Interpolation variables ({{name}}, {{- name}}, {{count, number}}) and nested $t(key) references. */
export function placeholders(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/\{\{\s*-?\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)) found.add(`{{${m[1]}}}`);
  for (const m of text.matchAll(/\$t\(\s*([^,)\s]+)/g)) found.add(`$t(${m[1]})`);
  return [...found].sort();
}

/** The key without its plural suffix, and the suffix ('' when it has none). */
export function splitPlural(key: string): { base: string; suffix: string } {
  for (const s of PLURAL_SUFFIXES) if (key.endsWith(s)) return { base: key.slice(0, -s.length), suffix: s };
  return { base: key, suffix: '' };
}

/** True when a value has no words of its own: only placeholders, digits, punctuation, symbols. */
export function hasNoWords(text: string): boolean {
  const rest = text.replace(/\{\{[^}]*\}\}/g, '').replace(/\$t\([^)]*\)/g, '').replace(/<[^>]*>/g, '');
  return !/\p{L}/u.test(rest);
}

/** Text a reader sees: markup and placeholders removed (so href='…' or {{name}} never count as words). */
export function visibleText(text: string): string {
  return text.replace(/<[^>]*>/g, ' ').replace(/\{\{[^}]*\}\}/g, ' ').replace(/\$t\([^)]*\)/g, ' ').replace(/https?:\/\/\S+/g, ' ');
}

export const VOWEL = 'aeiouāēīōūAEIOUĀĒĪŌŪ';

/** Where an apostrophe-like mark stands for the glottal stop: between two letters (fa'a, Fa’a),
 * or at the start of a word before a vowel ('ua, ‘O). A closing quote after a word (…word’ next)
 * is not flagged; Samoan text here quotes with “ ” instead of ‘ ’ so an opening ‘ before a vowel
 * can only be a mis-typed ʻokina. */
export function apostropheOkina(value: string): string[] {
  const seen = visibleText(value);
  const between = new RegExp(`\\p{L}['‘’\`´](?=\\p{L})`, 'gu');
  const initial = new RegExp(`(?:^|[^\\p{L}\\p{N}])['‘’\`´](?=[${VOWEL}])`, 'gu');
  return [...seen.matchAll(between), ...seen.matchAll(initial)].map((m) => seen.slice(Math.max(0, (m.index ?? 0) - 8), (m.index ?? 0) + 10));
}
