// Owns: the names of audit events. One list, so the console's filter, the CLI's --type and the
// test that every event is produced all read the same names. Add a name here before recording it.
export const AUDIT_EVENT_TYPES = [
  'sign_up',
  'sign_in', // details.method: password | code | passkey | social; failure details.reason
  'sign_out',
  'code_sent',
  'code_failed',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'email_changed',
  'phone_changed',
  'contact_verified',
  'factor_added',
  'factor_removed',
  'recovery_codes_created',
  'social_linked',
  'social_unlinked',
  'consent_given',
  'consent_revoked',
  'token_revoked',
  'account_disabled',
  'account_enabled',
  'account_deleted',
  'sessions_ended',
  'role_granted',
  'role_revoked',
  'client_created',
  'client_updated',
  'client_deleted',
  'client_secret_rotated',
  'api_created',
  'api_updated',
  'api_deleted',
  'keys_rotated',
  'connection_created',
  'connection_updated',
  'connection_deleted',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Why a sign-in failed (details.reason of a failed sign_in). */
export type SignInFailure = 'unknown_account' | 'wrong_password' | 'locked' | 'disabled' | 'second_factor_failed' | 'wrong_code' | 'upstream_error';
