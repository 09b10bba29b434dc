// Owns: turning two-step verification on and off and replacing recovery codes, each in one
// transaction with its audit event and the message that tells the person (by email, else by
// SMS to a phone-only account: someone with the password alone must not be able to change
// this quietly). Turning it off or making new codes needs the password and a current second
// factor; the page or API that calls these checks the password first (confirmCurrentPassword).
import { confirmCurrentPassword, type Account } from '../accounts/index.ts';
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { DomainError } from '../domain-error.ts';
import { deliverSoon, queueMessage } from '../messaging/index.ts';
import { deleteRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.ts';
import { checkSecondFactor } from './second-factor-policy.ts';
import { deleteTotp, hasTotp, useTotpCode } from './totp.ts';

export type TwoStepDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'tokenKey' | 'bcryptCost'>;
export type TwoStepChange = 'on' | 'off' | 'new_codes';

const EMAIL_TEMPLATES = { on: 'two_step_on', off: 'two_step_off', new_codes: 'two_step_new_codes' } as const;
const greetingName = (a: Account) => a.preferred_name || a.given_name;

async function tell(deps: TwoStepDeps, db: Db, account: Account, change: TwoStepChange): Promise<void> {
  const url = `${deps.config.issuer}/account/two-step`;
  if (account.email) {
    await queueMessage({ ...deps, db }, { channel: 'email', template: EMAIL_TEMPLATES[change], to: account.email, locale: account.locale, accountId: account.sub, vars: { name: greetingName(account), url } });
  } else if (account.phone_number) {
    await queueMessage({ ...deps, db }, { channel: 'sms', template: 'two_step_changed', to: account.phone_number, locale: account.locale, accountId: account.sub, vars: {} });
  }
}

export type ChangeContext = { origin: AuditOrigin; clientId?: string };

/**
 * Confirms the authenticator app being set up with a code from it, and makes the first ten
 * recovery codes. Returns the codes (to show once), or undefined for a wrong code.
 */
export async function confirmTwoStep(deps: TwoStepDeps, account: Account, code: string, at: ChangeContext): Promise<string[] | undefined> {
  const codes = await deps.db.transaction().execute(async (trx) => {
    if (!(await useTotpCode({ db: trx, box: deps.box }, account.sub, code, { pending: true }))) return undefined;
    const fresh = await replaceRecoveryCodes(trx, deps.tokenKey, account.sub);
    const base = { accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin };
    await recordAudit(trx, { ...base, type: 'factor_added', details: { factor: 'totp' } });
    await recordAudit(trx, { ...base, type: 'recovery_codes_created', details: { count: fresh.length } });
    await tell(deps, trx, account, 'on');
    return fresh;
  });
  if (codes) deliverSoon(deps);
  return codes;
}

/** The password and a current second factor, or a DomainError the page can explain. */
async function proveBoth(deps: TwoStepDeps, account: Account, proof: { password: string; code: string }, ip: string | undefined): Promise<void> {
  await confirmCurrentPassword(deps, account.sub, proof.password);
  const check = await checkSecondFactor(deps, account.sub, proof.code, ip);
  if (!check.ok) {
    if (check.error === 'rate_limited') throw new DomainError('rate_limited', { retryAfterSeconds: check.retryAfterSeconds });
    throw new DomainError('invalid_code', { fields: { code: 'second_factor_wrong' } });
  }
}

/** Turns two-step verification off: the app and every recovery code are removed. */
export async function turnOffTwoStep(deps: TwoStepDeps, account: Account, proof: { password: string; code: string }, at: ChangeContext & { ip?: string }): Promise<void> {
  if (!(await hasTotp(deps.db, account.sub))) return;
  await proveBoth(deps, account, proof, at.ip);
  await deps.db.transaction().execute(async (trx) => {
    await deleteTotp(trx, account.sub);
    await deleteRecoveryCodes(trx, account.sub);
    await recordAudit(trx, { type: 'factor_removed', accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin, details: { factor: 'totp' } });
    await tell(deps, trx, account, 'off');
  });
  deliverSoon(deps);
}

/** Ten new recovery codes; the old ones stop working. Returns the new ones (to show once). */
export async function renewRecoveryCodes(deps: TwoStepDeps, account: Account, proof: { password: string; code: string }, at: ChangeContext & { ip?: string }): Promise<string[]> {
  if (!(await hasTotp(deps.db, account.sub))) throw new DomainError('invalid_request');
  await proveBoth(deps, account, proof, at.ip);
  const codes = await deps.db.transaction().execute(async (trx) => {
    const fresh = await replaceRecoveryCodes(trx, deps.tokenKey, account.sub);
    await recordAudit(trx, { type: 'recovery_codes_created', accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin, details: { count: fresh.length, replaced: true } });
    await tell(deps, trx, account, 'new_codes');
    return fresh;
  });
  deliverSoon(deps);
  return codes;
}
