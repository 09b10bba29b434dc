// Owns: kysely types of the passkey tables (migrations/0010_passkeys.ts). Merged into src/db/schema.ts.
import type { ColumnType, Generated } from 'kysely';

export type PasskeyChallengePurpose = 'register' | 'sign_in' | 'second_factor';

export interface PasskeyUserHandlesTable {
  account_sub: string;
  /** base64url of 32 random bytes: the WebAuthn user.id of this account's passkeys. */
  user_handle: string;
}

export interface PasskeysTable {
  id: string;
  /** base64url credential id, as the authenticator names it. */
  credential_id: string;
  account_sub: string;
  name: string;
  /** base64url COSE public key. */
  public_key: string;
  /** The authenticator's signature counter (bigint: pg returns it as a string). */
  counter: ColumnType<string, number | undefined, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  aaguid: string;
  /** BE flag: the credential may be synced (a "multi-device" passkey). */
  backup_eligible: boolean;
  /** BS flag: it is backed up (synced) now. */
  backed_up: boolean;
  created_at: Generated<Date>;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface PasskeyChallengesTable {
  binding: string;
  purpose: PasskeyChallengePurpose;
  challenge: string;
  account_sub: string | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface PasskeyTables {
  passkey_user_handles: PasskeyUserHandlesTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
}
