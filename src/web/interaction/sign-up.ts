// Owns: creating an account from the hosted sign-up form and starting contact verification.
import type { Translate } from '../../i18n/i18n.ts';
import { registerAccount, type Account } from '../../accounts/index.ts';
import type { AuditSource } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import { startContactVerification, type VerificationDeps } from '../../verification/index.ts';
import { formError } from '../pages/form-error.ts';
import type { SignUpValues } from './forms.ts';

export type SignUpDeps = VerificationDeps & Pick<Deps, 'bcryptCost'>;

export type SignUpOutcome =
  | { ok: true; account: Account }
  | { ok: false; fieldErrors: Record<string, string>; alert?: string; alreadyRegistered: boolean; status: number; retryAfterSeconds?: number };

/** Where the sign-up comes from: the request's origin and the app whose page it is. */
export type SignUpFrom = { ip: string; userAgent?: string | null; clientId?: string | null };

export async function signUp(deps: SignUpDeps, values: SignUpValues, t: Translate, locale: string, from: SignUpFrom): Promise<SignUpOutcome> {
  try {
    const account = await registerAccount(deps, {
      email: values.email,
      phone_number: values.phone_number,
      password: values.password,
      given_name: values.given_name,
      family_name: values.family_name,
      matai_title: values.matai_title,
      locale: values.locale || locale,
    }, { ...from, perIpHourly: deps.config.signUpHourlyLimitPerIp });
    await startVerification(deps, account, values.locale || locale, { origin: { ip: from.ip || null, userAgent: from.userAgent ?? null }, clientId: from.clientId ?? null });
    return { ok: true, account };
  } catch (err) {
    const e = formError(t, err);
    if (!e) throw err;
    return { ok: false, fieldErrors: e.fieldErrors, alert: e.alert, alreadyRegistered: e.code === 'already_registered', status: e.status, ...(e.retryAfterSeconds ? { retryAfterSeconds: e.retryAfterSeconds } : {}) };
  }
}

// Contact verification (email link / SMS code) belongs to src/verification/. A failure to send
// must not undo a sign-up: the person can ask for a new link or code from the account area.
async function startVerification(deps: SignUpDeps, account: Account, locale: string, from: AuditSource): Promise<void> {
  try {
    await startContactVerification(deps, account, locale, from);
  } catch (err) {
    deps.log.warn({ err, sub: account.sub }, 'contact verification could not be started after sign-up');
  }
}
