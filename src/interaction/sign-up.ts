// Owns: creating an account from the hosted sign-up form and starting contact verification.
import type { TFunction } from 'i18next';
import { AccountInputError, AlreadyRegisteredError, registerAccount, type Account } from '../accounts/index.ts';
import type { AppDeps } from '../app.ts';
import { startContactVerification } from '../verification/index.ts';
import { translateFieldErrors, type SignUpValues } from './forms.ts';

export type SignUpOutcome =
  | { ok: true; account: Account }
  | { ok: false; fieldErrors: Record<string, string>; alert?: string; alreadyRegistered: boolean };

export async function signUp(deps: AppDeps, values: SignUpValues, t: TFunction, locale: string): Promise<SignUpOutcome> {
  try {
    const account = await registerAccount(
      { db: deps.db, bcryptCost: deps.config.bcryptCost },
      {
        email: values.email,
        phone_number: values.phone_number,
        password: values.password,
        given_name: values.given_name,
        family_name: values.family_name,
        matai_title: values.matai_title,
        locale: values.locale || locale,
      },
    );
    await startVerification(deps, account, values.locale || locale);
    return { ok: true, account };
  } catch (err) {
    if (err instanceof AlreadyRegisteredError) {
      return { ok: false, fieldErrors: translateFieldErrors(t, err.fields), alert: t('errors:already_registered'), alreadyRegistered: true };
    }
    if (err instanceof AccountInputError) {
      return { ok: false, fieldErrors: translateFieldErrors(t, err.fields), alert: t('errors:check_fields'), alreadyRegistered: false };
    }
    throw err;
  }
}

// Contact verification (email link / SMS code) belongs to src/verification/. A failure to send
// must not undo a sign-up: the person can ask for a new link or code from the account area.
async function startVerification(deps: AppDeps, account: Account, locale: string): Promise<void> {
  try {
    await startContactVerification(deps, account, locale);
  } catch (err) {
    deps.log.warn({ err, sub: account.sub }, 'contact verification could not be started after sign-up');
  }
}
