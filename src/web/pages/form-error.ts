// Owns: how a page says what went wrong: one function from any domain error to field messages,
// an alert and a status, in the page's language. Unknown errors are not ours to explain:
// formError returns undefined and the caller rethrows (the error boundary answers).
import { runtimeKey, type Translate } from '../../i18n/i18n.ts';
import { DomainError } from '../../domain-error.ts';
import { DOMAIN_STATUS } from '../error-status.ts';
import { waitText } from './wait-text.ts';

export type FormError = { status: number; fieldErrors: Record<string, string>; alert?: string; retryAfterSeconds?: number; code: string };

/** A field code as a sentence: errors:fields.<code>, else api:fields.<code>, else a general one. */
export const fieldText = (t: Translate, code: string) =>
  t([runtimeKey(`errors:fields.${code}`), runtimeKey(`api:fields.${code}`), 'api:errors.invalid_field']);

/** Field codes as sentences, per field. */
export function fieldMessages(t: Translate, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, code]) => [name, fieldText(t, code)]));
}

export function formError(t: Translate, err: unknown): FormError | undefined {
  if (!(err instanceof DomainError)) return undefined;
  const fieldErrors = fieldMessages(t, err.fields ?? {});
  const base = { status: DOMAIN_STATUS[err.code], fieldErrors, code: err.code };
  switch (err.code) {
    case 'rate_limited': {
      const seconds = err.retryAfterSeconds ?? 1;
      return { ...base, alert: waitText(t, seconds), retryAfterSeconds: seconds };
    }
    case 'already_registered':
      return { ...base, alert: t('errors:already_registered') };
    case 'invalid_code':
      return { ...base, alert: t('api:errors.invalid_code') };
    default:
      return { ...base, alert: t('errors:check_fields') };
  }
}
