// Owns: checking a passkey's assertion (navigator.credentials.get) and what it proves. The
// signature, origin, RP ID, challenge and user verification are checked by
// @simplewebauthn/server; the signature counter is checked here, after the signature, so only
// the real authenticator's answers can raise the "cloned" alarm. A sign-in with a
// user-verified passkey is a complete, multi-factor sign-in: amr ['hwk'|'swk', 'user', 'mfa'].
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Deps } from '../deps.ts';
import { CHALLENGE_TTL_MS, issueChallenge, takeChallenge } from './passkey-challenges.ts';
import { PasskeyError } from './passkey-errors.ts';
import { relyingParty, webauthn } from './passkey-rp.ts';
import type { PasskeyDeps } from './passkeys.ts';

export type PasskeyProof = {
  accountSub: string;
  passkeyId: string;
  /**
   * RFC 8176: 'swk' for a synced passkey (backup eligible: its private key lives in a cloud
   * keychain, copied between devices) and 'hwk' for one bound to its authenticator; 'user'
   * (the person was verified by the authenticator: PIN or biometric) and 'mfa' (possession
   * plus that verification: two factors).
   */
  amr: string[];
};

/** Options for navigator.credentials.get(): for anyone (discoverable) or for one account's passkeys. */
export async function passkeyAuthenticationOptions(
  deps: Pick<Deps, 'config' | 'db'>,
  opts: { challenge: string; accountSub?: string },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { rpID } = relyingParty(deps.config);
  const allow = opts.accountSub
    ? (await deps.db.selectFrom('passkeys').select(['credential_id', 'transports']).where('account_sub', '=', opts.accountSub).execute()).map((p) => ({
        id: p.credential_id,
        transports: p.transports,
      }))
    : undefined;
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({ rpID, challenge: new Uint8Array(Buffer.from(opts.challenge, 'base64url')), timeout: CHALLENGE_TTL_MS, userVerification: 'required', ...(allow ? { allowCredentials: allow } : {}) });
}

/**
 * Verifies an assertion against `expectedChallenge` (the caller keeps and consumes it). With
 * `accountSub`, the passkey must be that account's (a second step for someone already
 * identified). On success the counter, backup state and last use are updated. A counter that
 * does not go up (while either is non-zero) is refused, logged and audited as a possible clone.
 */
export async function verifyPasskeyAssertion(
  deps: PasskeyDeps,
  opts: { response: unknown; expectedChallenge: string; accountSub?: string; origin?: AuditOrigin; clientId?: string },
): Promise<PasskeyProof> {
  const response = opts.response as AuthenticationResponseJSON;
  if (!response || typeof response !== 'object' || typeof response.id !== 'string' || !response.response) throw new PasskeyError('passkey_rejected', opts.accountSub);
  const row = await deps.db.selectFrom('passkeys').selectAll().where('credential_id', '=', response.id).executeTakeFirst();
  if (!row || (opts.accountSub && row.account_sub !== opts.accountSub)) throw new PasskeyError('passkey_unknown', opts.accountSub);
  // A discoverable answer names its user: it must be the handle this passkey was made with.
  const handle = response.response.userHandle;
  if (handle) {
    const owner = await deps.db.selectFrom('passkey_user_handles').select('account_sub').where('user_handle', '=', handle).executeTakeFirst();
    if (owner?.account_sub !== row.account_sub) throw new PasskeyError('passkey_rejected', row.account_sub);
  }
  const { rpID, origin } = relyingParty(deps.config);
  const stored = Number(row.counter);
  let info;
  try {
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: opts.expectedChallenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      // Counter 0 here: the library would refuse a regression before we could tell it apart
      // from a bad signature; we compare below, once the signature is known to be good.
      credential: { id: row.credential_id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: 0, transports: row.transports },
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('not verified');
    info = result.authenticationInfo;
  } catch (err) {
    deps.log.info({ err: (err as Error).message, passkey: row.id }, 'passkey assertion refused');
    throw new PasskeyError('passkey_rejected', row.account_sub);
  }
  const counter = info.newCounter;
  if ((counter > 0 || stored > 0) && counter <= stored) {
    deps.log.warn({ passkey: row.id, account: row.account_sub, stored, counter }, 'passkey signature counter did not increase: possible cloned authenticator; sign-in refused');
    await recordAudit(deps.db, {
      type: 'sign_in',
      outcome: 'failure',
      accountSub: row.account_sub,
      clientId: opts.clientId ?? null,
      origin: opts.origin,
      details: { method: 'passkey', reason: 'passkey_cloned', credential: row.id, stored_counter: stored, counter },
    });
    throw new PasskeyError('passkey_cloned', row.account_sub);
  }
  // BE (backup eligible, "multiDevice") is fixed when a credential is made; BS may change.
  const backupEligible = info.credentialDeviceType === 'multiDevice' || row.backup_eligible;
  const updated = await deps.db
    .updateTable('passkeys')
    .set({ counter, backed_up: info.credentialBackedUp, last_used_at: new Date() })
    .where('id', '=', row.id)
    // Two answers raced: only the one that still sees the old counter wins.
    .where('counter', '=', row.counter)
    .executeTakeFirst();
  if (!updated.numUpdatedRows) throw new PasskeyError('passkey_rejected', row.account_sub);
  return { accountSub: row.account_sub, passkeyId: row.id, amr: [backupEligible ? 'swk' : 'hwk', 'user', 'mfa'] };
}

/** Starts a usernameless passkey sign-in for this browser's interaction (`binding`). */
export async function startPasskeySignIn(deps: Pick<Deps, 'config' | 'db'>, binding: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await issueChallenge(deps, { binding, purpose: 'sign_in' });
  return passkeyAuthenticationOptions(deps, { challenge });
}

/**
 * Finishes it: the challenge kept for `binding` is consumed (whatever the outcome), then the
 * assertion is verified. Failures are audited as sign_in failures (method passkey).
 */
export async function finishPasskeySignIn(
  deps: PasskeyDeps,
  opts: { binding: string; response: unknown; origin?: AuditOrigin; clientId?: string },
): Promise<PasskeyProof> {
  try {
    const kept = await takeChallenge(deps, { binding: opts.binding, purpose: 'sign_in' });
    if (!kept) throw new PasskeyError('passkey_challenge_expired');
    return await verifyPasskeyAssertion(deps, { response: opts.response, expectedChallenge: kept.challenge, origin: opts.origin, clientId: opts.clientId });
  } catch (err) {
    if (err instanceof PasskeyError && err.reason !== 'passkey_cloned') {
      await recordAudit(deps.db, {
        type: 'sign_in',
        outcome: 'failure',
        accountSub: err.accountSub ?? null,
        clientId: opts.clientId ?? null,
        origin: opts.origin,
        details: { method: 'passkey', reason: err.reason },
      });
    }
    throw err;
  }
}
