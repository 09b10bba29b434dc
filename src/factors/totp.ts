// Owns: the authenticator app factor (RFC 6238 TOTP: SHA-1, 6 digits, 30 s, what every app
// speaks). The secret is sealed with the secret box at rest and shown only while it is being
// set up. A code is accepted one step either side of now (phone clocks drift), and never
// twice: the step of the last accepted code is kept and only later steps pass, decided by one
// conditional UPDATE so two requests racing with the same code cannot both win.
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';

// Loaded on first use, not at start: most processes never set up or check an app code.
const otp = () => import('otplib');

export const TOTP_ISSUER = 'Bytewatchers ID';
const PERIOD = 30;
/** Seconds either side of now: one step, as RFC 6238 section 5.2 recommends at most. */
const TOLERANCE = PERIOD;

export type TotpDeps = Pick<Deps, 'db' | 'box'>;

export type TotpSetup = {
  /** Base32, grouped in fours for typing into an app by hand. */
  secretText: string;
  /** otpauth://totp/… for a tap on the phone that has the app. */
  uri: string;
  /** The same URI as an inline SVG QR code (no script, no image request). */
  svg: string;
};

const group = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/** A six-digit code as people type it: spaces and dashes dropped. */
export const cleanTotpCode = (code: string) => code.replace(/[\s-]/g, '');

/** Whether the account has a confirmed authenticator app. */
export async function hasTotp(db: Db, sub: string): Promise<boolean> {
  const row = await db.selectFrom('totp_factors').select('account_sub').where('account_sub', '=', sub).where('confirmed_at', 'is not', null).executeTakeFirst();
  return !!row;
}

async function setupOf(secret: string, label: string): Promise<TotpSetup> {
  const [{ generateURI }, { default: QRCode }] = await Promise.all([otp(), import('qrcode')]);
  const uri = generateURI({ issuer: TOTP_ISSUER, label, secret, period: PERIOD });
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secretText: group(secret), uri, svg };
}

/**
 * The setup the person is in the middle of: the unconfirmed secret (made now if there is
 * none). Reloading the page shows the same secret, so an app that already scanned it keeps
 * working. Undefined when an app is already confirmed.
 */
export async function pendingTotpSetup(deps: TotpDeps, sub: string, label: string): Promise<TotpSetup | undefined> {
  const row = await deps.db.selectFrom('totp_factors').select(['secret_enc', 'confirmed_at']).where('account_sub', '=', sub).executeTakeFirst();
  if (row?.confirmed_at) return undefined;
  if (row) return setupOf(deps.box.open(row.secret_enc), label);
  const secret = (await otp()).generateSecret({ length: 20 });
  // Two tabs at once: the first secret stays, the second tab shows it too.
  await deps.db
    .insertInto('totp_factors')
    .values({ account_sub: sub, secret_enc: deps.box.seal(secret) })
    .onConflict((oc) => oc.column('account_sub').doNothing())
    .execute();
  return pendingTotpSetup(deps, sub, label);
}

/**
 * Setups started this long ago and never confirmed are dropped by the periodic purge: a sealed
 * secret nobody finished setting up is kept no longer than a visit needs, and whoever comes
 * back later starts afresh with a new one.
 */
export const ABANDONED_TOTP_SETUP_HOURS = 24;

/** Deletes abandoned setups (ops/purge.ts); returns how many. */
export async function purgeAbandonedTotpSetups(db: Db): Promise<number> {
  const r = await db
    .deleteFrom('totp_factors')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${ABANDONED_TOTP_SETUP_HOURS})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The time step a code matches for this secret, or undefined. */
async function matchingStep(secret: string, code: string, now: number): Promise<number | undefined> {
  const token = cleanTotpCode(code);
  if (!/^\d{6}$/.test(token)) return undefined;
  const { verify } = await otp();
  const result = await verify({ secret, token, period: PERIOD, epoch: now, epochTolerance: TOLERANCE });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/**
 * Checks a code against the account's app (confirmed, or the one being set up when
 * `pending`), and spends it. False for a wrong code, a code already used, or no app.
 */
export async function useTotpCode(deps: TotpDeps, sub: string, code: string, opts: { pending?: boolean; now?: number } = {}): Promise<boolean> {
  const row = await deps.db.selectFrom('totp_factors').select(['secret_enc', 'confirmed_at']).where('account_sub', '=', sub).executeTakeFirst();
  if (!row || (opts.pending ? row.confirmed_at !== null : row.confirmed_at === null)) return false;
  const step = await matchingStep(deps.box.open(row.secret_enc), code, opts.now ?? Math.floor(Date.now() / 1000));
  if (step === undefined) return false;
  const spent = await deps.db
    .updateTable('totp_factors')
    .set({ last_step: step, ...(opts.pending ? { confirmed_at: sql<Date>`now()` } : {}) })
    .where('account_sub', '=', sub)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', String(step))]))
    .where('confirmed_at', opts.pending ? 'is' : 'is not', null)
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1;
}

/** Removes the account's app (confirmed or being set up). True when there was one. */
export async function deleteTotp(db: Db, sub: string): Promise<boolean> {
  const r = await db.deleteFrom('totp_factors').where('account_sub', '=', sub).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
