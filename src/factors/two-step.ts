// Owns: turning two-step verification on and off and replacing recovery codes, each in one
// transaction with its audit event and the message that tells the person (by email, else by
// SMS to a phone-only account: someone with the password alone must not be able to change
// this quietly). Each change in the account area needs proof of the owner first
// (owner-proof.ts: the password, or for a passwordless account a recent sign-in): setting up
// an app is asked for it before the app's key is shown; turning it off or making new codes
// needs it and a current second factor. Refusals are recorded as failures of the same event.
import type { Account } from '../accounts/index.ts';
import { recordAudit, type AuditEventType, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { DomainError } from '../domain-error.ts';
import { deliverSoon, queueMessage } from '../messaging/index.ts';
import { deleteRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.ts';
import { checkSecondFactor } from './second-factor-policy.ts';
import { checkSetupPass, issueSetupPass, proveOwner, recordRefusal, type OwnerProof } from './owner-proof.ts';
import { deleteTotp, hasTotp, pendingTotpSetup, useTotpCode, type TotpSetup } from './totp.ts';

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
 * recovery codes. Returns the codes (to show once), or undefined for a wrong code. The caller
 * holds the owner proof: a sign-in's first factor just given (the sign-in's own setup step),
 * or the account area's setup pass (finishTwoStepSetup).
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

/** Proof of the owner and a current second factor, or a DomainError the page can explain (recorded as a failed `type`). */
async function proveBoth(deps: TwoStepDeps, account: Account, proof: ChangeProof, type: AuditEventType, at: ChangeContext & { ip?: string }, details?: Record<string, unknown>): Promise<void> {
  try {
    // The owner proof first: a stale session or a wrong password does not spend the code.
    await proveOwner(deps, account, proof);
    const check = await checkSecondFactor(deps, account.sub, proof.code, at.ip);
    if (!check.ok) {
      if (check.error === 'rate_limited') throw new DomainError('rate_limited', { retryAfterSeconds: check.retryAfterSeconds });
      throw new DomainError('invalid_code', { fields: { code: 'second_factor_wrong' } });
    }
  } catch (err) {
    await recordRefusal(deps, account.sub, type, err, at, details);
  }
}

/** The account area's browser session: which session, when it signed in. */
export type SessionContext = ChangeContext & { sessionUid: string; ip?: string };

/**
 * Setting up an app from the account area, step one: the owner proof. Returns the app's key
 * (the same one on every try, so an app that already scanned it keeps working) and a setup
 * pass for step two, or undefined when an app is already on. The key is never shown without
 * a proof: whoever saw it could make the owner's codes.
 */
export async function startTwoStepSetup(deps: TwoStepDeps, account: Account, proof: OwnerProof, at: SessionContext & { label: string }): Promise<{ setup: TotpSetup; pass: string } | undefined> {
  if (await hasTotp(deps.db, account.sub)) return undefined;
  try {
    await proveOwner(deps, account, proof);
  } catch (err) {
    return recordRefusal(deps, account.sub, 'factor_added', err, at, { factor: 'totp' });
  }
  const setup = await pendingTotpSetup(deps, account.sub, at.label);
  return setup && { setup, pass: issueSetupPass(deps, account.sub, at.sessionUid) };
}

export type SetupOutcome =
  | { ok: true; codes: string[] }
  | { ok: false; reason: 'wrong_code'; setup: TotpSetup; pass: string }
  | { ok: false; reason: 'proof_expired' | 'already_on' };

/**
 * Step two: a code from the app, with the pass step one gave this session. A missing, forged
 * or expired pass (proof_expired, recorded) means asking for the proof again.
 */
export async function finishTwoStepSetup(deps: TwoStepDeps, account: Account, input: { code: string; pass: string }, at: SessionContext & { label: string }): Promise<SetupOutcome> {
  if (await hasTotp(deps.db, account.sub)) return { ok: false, reason: 'already_on' };
  if (!checkSetupPass(deps, input.pass, account.sub, at.sessionUid)) {
    await recordAudit(deps.db, { type: 'factor_added', outcome: 'failure', accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin, details: { factor: 'totp', reason: 'proof_expired' } });
    return { ok: false, reason: 'proof_expired' };
  }
  const codes = await confirmTwoStep(deps, account, input.code, at);
  if (codes) return { ok: true, codes };
  const setup = await pendingTotpSetup(deps, account.sub, at.label);
  return setup ? { ok: false, reason: 'wrong_code', setup, pass: input.pass } : { ok: false, reason: 'already_on' };
}

/** Proof for turning it off or new codes: the owner (password, or a recent sign-in) and a second factor. */
export type ChangeProof = OwnerProof & { code: string };

/** Turns two-step verification off: the app and every recovery code are removed. */
export async function turnOffTwoStep(deps: TwoStepDeps, account: Account, proof: ChangeProof, at: ChangeContext & { ip?: string }): Promise<void> {
  if (!(await hasTotp(deps.db, account.sub))) return;
  await proveBoth(deps, account, proof, 'factor_removed', at, { factor: 'totp' });
  await deps.db.transaction().execute(async (trx) => {
    await deleteTotp(trx, account.sub);
    await deleteRecoveryCodes(trx, account.sub);
    await recordAudit(trx, { type: 'factor_removed', accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin, details: { factor: 'totp' } });
    await tell(deps, trx, account, 'off');
  });
  deliverSoon(deps);
}

/** Ten new recovery codes; the old ones stop working. Returns the new ones (to show once). */
export async function renewRecoveryCodes(deps: TwoStepDeps, account: Account, proof: ChangeProof, at: ChangeContext & { ip?: string }): Promise<string[]> {
  if (!(await hasTotp(deps.db, account.sub))) throw new DomainError('invalid_request');
  await proveBoth(deps, account, proof, 'recovery_codes_created', at, { replaced: true });
  const codes = await deps.db.transaction().execute(async (trx) => {
    const fresh = await replaceRecoveryCodes(trx, deps.tokenKey, account.sub);
    await recordAudit(trx, { type: 'recovery_codes_created', accountSub: account.sub, clientId: at.clientId ?? null, origin: at.origin, details: { count: fresh.length, replaced: true } });
    await tell(deps, trx, account, 'new_codes');
    return fresh;
  });
  deliverSoon(deps);
  return codes;
}
