// Owns: the translation keys as a type, taken from the English files (the reference language),
// so that a key that does not exist fails the type check. Type-only: nothing here runs.
// Keys built at run time (a field code, a scope) are marked with runtimeKey() and end their
// fallback list with a checked key.
import type admin from '../../locales/en/admin.json';
import type api from '../../locales/en/api.json';
import type branding from '../../locales/en/branding.json';
import type codes from '../../locales/en/codes.json';
import type common from '../../locales/en/common.json';
import type connections from '../../locales/en/connections.json';
import type email from '../../locales/en/email.json';
import type errors from '../../locales/en/errors.json';
import type pages from '../../locales/en/pages.json';
import type passkeys from '../../locales/en/passkeys.json';
import type scopes from '../../locales/en/scopes.json';
import type sms from '../../locales/en/sms.json';
import type twoStep from '../../locales/en/two-step.json';

type Resources = { admin: typeof admin; api: typeof api; branding: typeof branding; codes: typeof codes; common: typeof common; connections: typeof connections; email: typeof email; errors: typeof errors; pages: typeof pages; passkeys: typeof passkeys; scopes: typeof scopes; sms: typeof sms; 'two-step': typeof twoStep };

/** Plural forms are separate keys in the files (`x_one`, `x_other`); callers name `x`. */
type WithoutPlural<K extends string> = K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? Base | K : K;

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? WithoutPlural<`${Prefix}${K}`> : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every key, as `namespace:path.to.leaf` (the common namespace may also be named without its prefix). */
export type I18nKey = { [N in keyof Resources & string]: `${N}:${Leaves<Resources[N]>}` }[keyof Resources & string] | Leaves<Resources['common']>;

declare const runtime: unique symbol;
/** A key assembled at run time (a field code, a scope); see runtimeKey in i18n.ts. */
export type RuntimeKey = string & { readonly [runtime]: true };

/** A translate function fixed to one language, that takes only existing keys (or marked run-time ones). */
export type Translate = (key: I18nKey | RuntimeKey | readonly (I18nKey | RuntimeKey)[], vars?: Record<string, unknown>) => string;
