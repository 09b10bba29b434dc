// Owns: translations. Every folder under locales/ is a language; every JSON file in it a
// namespace. Adding a language = adding a folder. English is the fallback of last resort.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n } from 'i18next';
import type { RuntimeKey, Translate } from './keys.ts';

export type { I18nKey, RuntimeKey, Translate } from './keys.ts';

/** Marks a key assembled at run time (not checked by the type; give a checked fallback after it). */
export const runtimeKey = (key: string) => key as RuntimeKey;
import { projectPath } from '../paths.ts';

export const LOCALES_DIR = projectPath('locales');
export const DEFAULT_LOCALE = 'en';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Reads locales/<lang>/<namespace>.json for every language folder. */
export function readLocaleResources(dir = LOCALES_DIR): Resources {
  const resources: Resources = {};
  for (const lang of fs.readdirSync(dir).sort()) {
    const langDir = path.join(dir, lang);
    if (!fs.statSync(langDir).isDirectory()) continue;
    resources[lang] = {};
    for (const file of fs.readdirSync(langDir).filter((f) => f.endsWith('.json')).sort()) {
      resources[lang][path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(langDir, file), 'utf8')) as Record<string, unknown>;
    }
  }
  return resources;
}

let instance: i18n | undefined;
let languages: string[] = [DEFAULT_LOCALE];

/** Initialises i18next once per process (synchronously: resources are local files). */
export function i18nInstance(): i18n {
  if (instance) return instance;
  const resources = readLocaleResources();
  languages = Object.keys(resources);
  const namespaces = Object.keys(resources[DEFAULT_LOCALE] ?? {});
  const inst = i18next.createInstance();
  void inst.init({
    resources,
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: languages,
    ns: namespaces,
    defaultNS: namespaces.includes('common') ? 'common' : namespaces[0],
    initImmediate: false,
    interpolation: { escapeValue: false }, // ejs escapes on output
    returnNull: false,
    showSupportNotice: false, // no promotional line in our logs
  });
  instance = inst;
  return inst;
}

export function supportedLocales(): string[] {
  i18nInstance();
  return languages;
}

export function isSupportedLocale(value: unknown): value is string {
  return typeof value === 'string' && supportedLocales().includes(value);
}

/** A translate function fixed to one language. */
export function translator(locale: string): Translate {
  const t = i18nInstance().getFixedT(isSupportedLocale(locale) ? locale : DEFAULT_LOCALE);
  return (key, vars) => String(t(key as string | string[], vars ?? {}));
}
