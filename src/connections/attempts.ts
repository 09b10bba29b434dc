// Owns: the trip to an upstream and back. Starting records an attempt (state and browser
// binding stored as digests, the PKCE verifier sealed); the callback must come back to the
// same browser (its cookie), with a state we issued, once, within ATTEMPT_SECONDS. Only then
// is the code exchanged (upstream.ts) and the upstream's answer kept on the attempt for the
// page that finishes the sign-in or link (finishing is single-use too: linking.ts).
import crypto from 'node:crypto';
import type { Deps } from '../deps.ts';
import { loadConnectionSecret, redirectUriOf, type ConnectionRow } from './connections.ts';
import { findAttempt, findAttemptByState, insertAttempt, latestAttemptOf, markAttemptUsed, purgeAttempts, storeAttemptIdentity } from './queries.ts';
import type { ConnectionAttemptsTable, UpstreamIdentity } from './tables.ts';
import { UpstreamError } from './upstream-error.ts';
import type { Selectable } from 'kysely';

// openid-client is loaded when a connection is first used, not at start.
const upstream = () => import('./upstream.ts');

export type Attempt = Selectable<ConnectionAttemptsTable>;

/** How long the person may stay at the upstream (its login, maybe a sign-up there). */
export const ATTEMPT_SECONDS = 10 * 60;
/** How long the answer may wait for the finishing step (the password of a proof). */
export const FINISH_SECONDS = 20 * 60;

/** Why a connection sign-in came back without a person (each has a sentence on the sign-in page). */
export type ConnectionErrorCode = 'cancelled' | 'expired' | 'unavailable' | 'failed' | 'disabled' | 'linked_elsewhere';
export const CONNECTION_ERROR_CODES: readonly ConnectionErrorCode[] = ['cancelled', 'expired', 'unavailable', 'failed', 'disabled', 'linked_elsewhere'];

const digest = (v: string) => crypto.createHash('sha256').update(v).digest('base64url');
export const browserHashOf = (cookie: string | undefined) => digest(`browser:${cookie ?? ''}`);

export type StartInput = { connection: ConnectionRow; browserKey: string; purpose: 'sign_in' | 'link'; interactionUid?: string; accountId?: string };

/** Where to send the browser; throws UpstreamError if the upstream cannot be reached. */
export async function startAttempt(deps: Pick<Deps, 'db' | 'box' | 'config'>, input: StartInput): Promise<URL> {
  const loaded = await loadConnectionSecret(deps.db, deps.box, input.connection.id);
  if (!loaded) throw new UpstreamError('misconfigured');
  const { url, checks } = await (await upstream()).authorizationUrl(loaded.row, loaded.secret, redirectUriOf(deps.config.issuer, loaded.row.id));
  await purgeAttempts(deps.db, 24 * 60 * 60);
  await insertAttempt(deps.db, {
    id: crypto.randomUUID(),
    state_hash: digest(checks.state),
    browser_hash: browserHashOf(input.browserKey),
    connection_id: loaded.row.id,
    purpose: input.purpose,
    interaction_uid: input.interactionUid ?? null,
    account_id: input.accountId ?? null,
    verifier_enc: deps.box.seal(JSON.stringify({ verifier: checks.verifier, state: checks.state })),
    nonce: checks.nonce,
  });
  return url;
}

const older = (attempt: Attempt, seconds: number) => Date.now() - attempt.created_at.getTime() > seconds * 1000;

export type CallbackOutcome =
  | { ok: true; attempt: Attempt; identity: UpstreamIdentity }
  /** `attempt` says where to send the person back (absent: nothing of this browser's is known). */
  | { ok: false; code: ConnectionErrorCode; attempt?: Attempt; exchanged?: boolean };

/** The upstream's answer at /connections/:id/callback (query, or Apple's form post). */
export async function handleCallback(
  deps: Pick<Deps, 'db' | 'box' | 'config'>,
  input: { connectionId: string; browserKey: string | undefined; params: URLSearchParams; appleUser?: unknown },
): Promise<CallbackOutcome> {
  const browserHash = browserHashOf(input.browserKey);
  const state = input.params.get('state');
  const attempt = state ? await findAttemptByState(deps.db, digest(state)) : undefined;
  // A state we did not issue, for another connection, or to another browser: nothing of it is
  // trusted; this browser's own newest attempt says where to go back to.
  if (!attempt || attempt.connection_id !== input.connectionId || !input.browserKey || attempt.browser_hash !== browserHash) {
    return { ok: false, code: 'expired', attempt: input.browserKey ? await latestAttemptOf(deps.db, browserHash) : undefined };
  }
  if (!(await markAttemptUsed(deps.db, attempt.id)) || older(attempt, ATTEMPT_SECONDS)) return { ok: false, code: 'expired', attempt };
  const error = input.params.get('error');
  if (error) return { ok: false, code: error === 'access_denied' ? 'cancelled' : 'failed', attempt };
  const loaded = await loadConnectionSecret(deps.db, deps.box, input.connectionId);
  if (!loaded?.row.enabled) return { ok: false, code: 'disabled', attempt };
  const sealed = JSON.parse(deps.box.open(attempt.verifier_enc)) as { verifier: string; state: string };
  try {
    const identity = await (await upstream()).exchangeCode(loaded.row, loaded.secret, redirectUriOf(deps.config.issuer, loaded.row.id), input.params, { ...sealed, nonce: attempt.nonce }, input.appleUser);
    await storeAttemptIdentity(deps.db, attempt.id, identity);
    return { ok: true, attempt, identity };
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    return { ok: false, code: err.reason === 'unavailable' ? 'unavailable' : 'failed', attempt, exchanged: true };
  }
}

/** The attempt a finishing page names, if it is this browser's, answered, unfinished and fresh. */
export async function answeredAttempt(db: Deps['db'], attemptId: unknown, browserKey: string | undefined): Promise<(Attempt & { identity: UpstreamIdentity }) | undefined> {
  if (typeof attemptId !== 'string' || !/^[0-9a-f-]{36}$/.test(attemptId) || !browserKey) return undefined;
  const attempt = await findAttempt(db, attemptId);
  if (!attempt || attempt.browser_hash !== browserHashOf(browserKey) || !attempt.identity || attempt.finished_at || older(attempt, FINISH_SECONDS)) return undefined;
  return attempt as Attempt & { identity: UpstreamIdentity };
}
