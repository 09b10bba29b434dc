// Owns: when a second factor is due and what a sign-in is worth to an app. The two
// Authentication Context Class References we publish (acr_values_supported), how an RFC 8176
// `amr` list maps to one of them, and checking a second factor (an authenticator app code or
// a recovery code), throttled per account like passwords (login-throttle, in the database, so
// every process counts the same guesses).
//
// A second factor is due when the account has one enrolled, when the app was registered with
// --require-mfa, or when the request asked for ACR_TWO_FACTOR in acr_values (or as an
// essential acr claim). An account with nothing enrolled that meets such an app is sent to set
// up an authenticator app inside the same sign-in (docs/factors.md).
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { loginThrottle } from '../security/login-throttle.ts';
import { looksLikeRecoveryCode, recoveryCodesLeft, useRecoveryCode } from './recovery-codes.ts';
import { cleanTotpCode, hasTotp, useTotpCode } from './totp.ts';

/** One factor proven (a password, a one-time code, a passkey without user verification…). */
export const ACR_ONE_FACTOR = 'urn:bytewatchers:acr:1fa';
/** Two different factors proven (a password or code, and an authenticator app, recovery code or verifying passkey). */
export const ACR_TWO_FACTOR = 'urn:bytewatchers:acr:2fa';
export const ACR_VALUES = [ACR_ONE_FACTOR, ACR_TWO_FACTOR] as const;

/** RFC 8176 values that each stand for one kind of factor (`user`, `mca`… do not). */
const FACTOR_METHODS = new Set(['pwd', 'pin', 'otp', 'sms', 'tel', 'hwk', 'swk', 'fpt', 'face', 'iris', 'retina', 'vbm', 'kba', 'bio']);

/**
 * Whether an amr list proves more than one factor: `mfa`, or two different kinds of factor
 * (e.g. pwd + otp, or a passkey's hwk + pin). One kind twice (an email code then an SMS
 * code, both one-time codes) is still one factor.
 */
export function hasSecondFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  if (amr.includes('mfa')) return true;
  const kinds = new Set(amr.filter((m) => FACTOR_METHODS.has(m)).map((m) => (m === 'sms' || m === 'tel' ? 'otp' : m)));
  return kinds.size >= 2;
}

export const acrFor = (amr: readonly string[] | undefined) => (hasSecondFactor(amr) ? ACR_TWO_FACTOR : ACR_ONE_FACTOR);

/** Whether an authorization request's acr_values (space-separated, in order of preference) asks for two factors. */
export function acrValuesWantTwoFactors(acrValues: unknown): boolean {
  if (typeof acrValues !== 'string') return false;
  const wanted = acrValues.split(' ').filter(Boolean);
  // Asking for the two-factor class at all means it is wanted; a list that also accepts one
  // factor is satisfied by one (the first-listed is only a preference).
  return wanted.includes(ACR_TWO_FACTOR) && !wanted.includes(ACR_ONE_FACTOR);
}

/** An essential acr claim request (OIDC Core 5.5.1.1) for the two-factor class. */
function claimsWantTwoFactors(claims: unknown): boolean {
  let parsed: unknown = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return false;
    }
  }
  const acr = (parsed as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } } | undefined)?.id_token?.acr;
  if (!acr?.essential) return false;
  const values = Array.isArray(acr.values) ? acr.values : [acr.value];
  return values.includes(ACR_TWO_FACTOR) && !values.includes(ACR_ONE_FACTOR);
}

/** Whether an authorization request (its parameters) asks for two factors: acr_values or an essential acr claim. */
export const requestWantsTwoFactors = (params: Record<string, unknown>) => acrValuesWantTwoFactors(params['acr_values']) || claimsWantTwoFactors(params['claims']);

export type SecondFactorKind = 'totp' | 'recovery_code';
export type EnrolledFactor = { kind: SecondFactorKind; count?: number };

/** The second factors the account has (recovery codes only count while some are unused). */
export async function secondFactorsOf(db: Db, sub: string): Promise<EnrolledFactor[]> {
  const [totp, left] = await Promise.all([hasTotp(db, sub), recoveryCodesLeft(db, sub)]);
  return [...(totp ? [{ kind: 'totp' as const }] : []), ...(totp && left > 0 ? [{ kind: 'recovery_code' as const, count: left }] : [])];
}

export type SecondFactorDeps = Pick<Deps, 'db' | 'box' | 'tokenKey'>;

export type SecondFactorCheck =
  | { ok: true; kind: SecondFactorKind; amr: string[] }
  | { ok: false; error: 'invalid_code' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/** The throttle key of an account's second factor: apart from its password's, which a correct password clears. */
const throttleKeysOf = (sub: string, ip: string | undefined) => ({ account: `2f:${sub}`, ...(ip === undefined ? {} : { ip: ip.trim().slice(0, 64) || 'unknown' }) });

/**
 * Checks a code from the authenticator app (six digits) or a recovery code, and spends it.
 * Wrong codes count against the account (5 per 15 minutes, then locks that grow: the same
 * numbers as passwords) and against the client IP when there is one.
 */
export async function checkSecondFactor(deps: SecondFactorDeps, sub: string, code: string, ip?: string): Promise<SecondFactorCheck> {
  const throttle = loginThrottle(deps.db);
  const keys = throttleKeysOf(sub, ip);
  const reservation = await throttle.reserve(keys);
  if (!reservation.ok) return { ok: false, error: 'rate_limited', retryAfterSeconds: reservation.retryAfterSeconds };
  const trimmed = code.trim();
  let kind: SecondFactorKind | undefined;
  if (/^\d{6}$/.test(cleanTotpCode(trimmed))) {
    if (await useTotpCode(deps, sub, trimmed)) kind = 'totp';
  } else if (looksLikeRecoveryCode(trimmed) && (await hasTotp(deps.db, sub))) {
    if (await useRecoveryCode(deps.db, deps.tokenKey, sub, trimmed)) kind = 'recovery_code';
  }
  if (!kind) {
    await throttle.failed(keys, reservation.attempt);
    return { ok: false, error: 'invalid_code' };
  }
  await throttle.clearAccount(keys.account);
  return { ok: true, kind, amr: ['otp'] };
}

/** The amr after a second factor: the first factor's, plus what was proven, plus `mfa`. */
export const withSecondFactor = (first: readonly string[], added: readonly string[]) => [...new Set([...first, ...added, 'mfa'])];
