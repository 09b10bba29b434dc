// Owns: why a passkey ceremony was refused, as one error with a stable reason. It is a
// DomainError (code invalid_request) so pages and JSON treat it like any refusal; `reason`
// says which, for the page's sentence and the audit log.
import { DomainError } from '../domain-error.ts';

export type PasskeyFailure =
  /** No challenge for this browser, or it expired, or it was used already (a replay). */
  | 'passkey_challenge_expired'
  /** The answer is malformed, or its signature, origin, RP ID, challenge or flags do not check. */
  | 'passkey_rejected'
  /** We know no such credential (or not for this account). */
  | 'passkey_unknown'
  /** The signature counter did not go up: the authenticator may have been cloned. */
  | 'passkey_cloned'
  /** The passkey is registered already, or the name is not acceptable. */
  | 'passkey_duplicate';

export class PasskeyError extends DomainError {
  override name = 'PasskeyError';
  constructor(
    readonly reason: PasskeyFailure,
    /** The account the credential belongs to, when that much is known (for the audit log). */
    readonly accountSub?: string,
  ) {
    super('invalid_request', { message: reason });
  }
}
