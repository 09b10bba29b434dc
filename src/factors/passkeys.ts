// Owns: registering, listing and removing a person's passkeys (table passkeys) and the one
// WebAuthn user handle of each account (passkey_user_handles). Every passkey is a discoverable
// credential made with user verification: it is a whole sign-in on its own (see
// docs/factors.md, "Passkeys"), so a key that cannot verify its user is not accepted. For
// that same reason adding one needs proof of the owner (owner-proof.ts), asked when the
// options are made and again when the answer is stored: a stolen session cookie alone must
// not plant a passkey that outlives the session. Refusals are recorded as failed factor_added.
import crypto from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { lockAccount, type Account } from '../accounts/index.ts';
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { proveOwner, recordRefusal, type OwnerProof } from './owner-proof.ts';
import { CHALLENGE_TTL_MS, issueChallenge, takeChallenge } from './passkey-challenges.ts';
import { PasskeyError } from './passkey-errors.ts';
import { relyingParty, RP_NAME, webauthn } from './passkey-rp.ts';

export type PasskeyDeps = Pick<Deps, 'config' | 'db' | 'log' | 'bcryptCost'>;

/** Who adds the passkey, the proof that they own the account, and where the request came from. */
export type PasskeyOwner = { account: Account; proof: OwnerProof; origin?: AuditOrigin };

/** Throws the refusal (recorded) unless the proof is good: see proveOwner for the errors. */
async function ownerProven(deps: PasskeyDeps, owner: PasskeyOwner): Promise<void> {
  try {
    await proveOwner(deps, owner.account, owner.proof);
  } catch (err) {
    await recordRefusal(deps, owner.account.sub, 'factor_added', err, { origin: owner.origin }, { factor: 'passkey' });
  }
}

export type Passkey = {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Synced (backup eligible): it may be on the person's other devices too. */
  synced: boolean;
  transports: string[];
  aaguid: string;
};

export const PASSKEY_NAME_MAX = 60;

/** The account's WebAuthn user handle, made on first use. Random: never the sub or a contact. */
async function userHandle(deps: Pick<Deps, 'db'>, accountSub: string): Promise<string> {
  const fresh = crypto.randomBytes(32).toString('base64url');
  await deps.db.insertInto('passkey_user_handles').values({ account_sub: accountSub, user_handle: fresh }).onConflict((oc) => oc.column('account_sub').doNothing()).execute();
  const row = await deps.db.selectFrom('passkey_user_handles').select('user_handle').where('account_sub', '=', accountSub).executeTakeFirstOrThrow();
  return row.user_handle;
}

/** The account whose passkeys carry this user handle (discoverable sign-in names it). */
export async function accountOfUserHandle(deps: Pick<Deps, 'db'>, handle: string): Promise<string | undefined> {
  const row = await deps.db.selectFrom('passkey_user_handles').select('account_sub').where('user_handle', '=', handle).executeTakeFirst();
  return row?.account_sub;
}

/**
 * Options for navigator.credentials.create(): a discoverable credential (residentKey
 * required, so sign-in needs no username) with user verification required. The challenge is
 * kept for `binding` (the account session) until the answer comes back.
 */
export async function startPasskeyRegistration(
  deps: PasskeyDeps,
  opts: PasskeyOwner & { binding: string; userName: string; displayName: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await ownerProven(deps, opts);
  const accountSub = opts.account.sub;
  const { rpID } = relyingParty(deps.config);
  const handle = await userHandle(deps, accountSub);
  const existing = await deps.db.selectFrom('passkeys').select(['credential_id', 'transports']).where('account_sub', '=', accountSub).execute();
  const challenge = await issueChallenge(deps, { binding: opts.binding, purpose: 'register', accountSub });
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: RP_NAME,
    rpID,
    userName: opts.userName,
    userDisplayName: opts.displayName,
    userID: Buffer.from(handle, 'base64url'),
    // Bytes: a string would be taken as text and encoded once more.
    challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    // The same authenticator twice would only overwrite itself (same RP and user handle).
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
}

/**
 * Checks the owner proof again (the options may have come from another request), then the
 * authenticator's answer against the kept challenge, and stores the passkey.
 */
export async function finishPasskeyRegistration(
  deps: PasskeyDeps,
  opts: PasskeyOwner & { binding: string; response: unknown; name: string },
): Promise<Passkey> {
  await ownerProven(deps, opts);
  const accountSub = opts.account.sub;
  const kept = await takeChallenge(deps, { binding: opts.binding, purpose: 'register' });
  if (!kept || kept.accountSub !== accountSub) throw new PasskeyError('passkey_challenge_expired', accountSub);
  const { rpID, origin } = relyingParty(deps.config);
  let info;
  try {
    const { verifyRegistrationResponse } = await webauthn();
    const verified = await verifyRegistrationResponse({
      response: opts.response as RegistrationResponseJSON,
      expectedChallenge: kept.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
    if (!verified.verified) throw new Error('not verified');
    info = verified.registrationInfo;
  } catch (err) {
    deps.log.info({ err: (err as Error).message }, 'passkey registration refused');
    throw new PasskeyError('passkey_rejected', accountSub);
  }
  const name = opts.name.trim().slice(0, PASSKEY_NAME_MAX);
  const id = crypto.randomUUID();
  const transports = (info.credential.transports ?? []).map(String);
  const backupEligible = info.credentialDeviceType === 'multiDevice';
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('passkeys')
        .values({
          id,
          credential_id: info.credential.id,
          account_sub: accountSub,
          name,
          public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
          counter: info.credential.counter,
          transports,
          aaguid: info.aaguid,
          backup_eligible: backupEligible,
          backed_up: info.credentialBackedUp,
        })
        .execute();
      await recordAudit(trx, {
        type: 'factor_added',
        accountSub,
        origin: opts.origin,
        details: { factor: 'passkey', credential: id, aaguid: info.aaguid, synced: backupEligible },
      });
    });
  } catch (err) {
    // The credential id is unique: the same authenticator answered twice.
    if (/unique|duplicate/i.test(String((err as Error).message))) throw new PasskeyError('passkey_duplicate', accountSub);
    throw err;
  }
  return { id, name, createdAt: new Date(), lastUsedAt: null, synced: backupEligible, transports, aaguid: info.aaguid };
}

export async function listPasskeys(deps: Pick<Deps, 'db'>, accountSub: string): Promise<Passkey[]> {
  const rows = await deps.db
    .selectFrom('passkeys')
    .select(['id', 'name', 'created_at', 'last_used_at', 'backup_eligible', 'transports', 'aaguid'])
    .where('account_sub', '=', accountSub)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    synced: r.backup_eligible,
    transports: r.transports,
    aaguid: r.aaguid,
  }));
}

/** Whether the account has at least one passkey (the second-factor page offers one then). */
export async function hasPasskey(deps: Pick<Deps, 'db'>, accountSub: string): Promise<boolean> {
  const row = await deps.db.selectFrom('passkeys').select('id').where('account_sub', '=', accountSub).limit(1).executeTakeFirst();
  return !!row;
}

export type PasskeyRemoval = 'removed' | 'absent' | 'last_way_in';

/**
 * Removes one of the account's own passkeys: 'absent' when there is no such passkey of theirs.
 * `keepsWayIn` (the ways-in rule, src/connections/ways-in.ts, which sits above this module) is
 * asked inside the transaction, after the delete and with the account row locked, so an unlink
 * racing this removal cannot leave the account with no way in: 'last_way_in' then, and nothing
 * is removed.
 */
export async function removePasskey(
  deps: Pick<Deps, 'db'>,
  opts: { accountSub: string; passkeyId: string; origin?: AuditOrigin; keepsWayIn?: (db: Db, accountSub: string) => Promise<boolean> },
): Promise<PasskeyRemoval> {
  if (!/^[0-9a-f-]{36}$/.test(opts.passkeyId)) return 'absent';
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (opts.keepsWayIn) await lockAccount(trx, opts.accountSub);
      const gone = await trx.deleteFrom('passkeys').where('id', '=', opts.passkeyId).where('account_sub', '=', opts.accountSub).returning(['id', 'aaguid']).executeTakeFirst();
      if (!gone) return 'absent';
      if (opts.keepsWayIn && !(await opts.keepsWayIn(trx, opts.accountSub))) throw new LastWayIn();
      await recordAudit(trx, { type: 'factor_removed', accountSub: opts.accountSub, origin: opts.origin, details: { factor: 'passkey', credential: gone.id, aaguid: gone.aaguid } });
      return 'removed';
    });
  } catch (err) {
    if (err instanceof LastWayIn) return 'last_way_in'; // thrown to roll the delete back
    throw err;
  }
}

class LastWayIn extends Error {}
