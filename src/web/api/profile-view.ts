// Owns: how an account looks in the JSON API: OIDC claim names, with the parts the token's
// scopes cover (sub always; profile, email, phone), plus values waiting for verification.
import type { Account } from '../../accounts/index.ts';
import { displayName } from '../../accounts/claims.ts';

export type Pending = { email?: string; phone_number?: string };

const ALL = new Set(['profile', 'email', 'phone']);

export function profileJson(a: Account, pending: Pending = {}, scopes: Set<string> = ALL): Record<string, unknown> {
  return {
    sub: a.sub,
    ...(scopes.has('email')
      ? { email: a.email, email_verified: a.email_verified, ...(pending.email ? { pending_email: pending.email } : {}) }
      : {}),
    ...(scopes.has('phone')
      ? {
          phone_number: a.phone_number,
          phone_number_verified: a.phone_number_verified,
          ...(pending.phone_number ? { pending_phone_number: pending.phone_number } : {}),
        }
      : {}),
    ...(scopes.has('profile')
      ? {
          name: displayName(a),
          given_name: a.given_name,
          family_name: a.family_name,
          matai_title: a.matai_title,
          preferred_name: a.preferred_name,
          village: a.village,
          district: a.district,
          locale: a.locale,
          updated_at: Math.floor(a.updated_at.getTime() / 1000),
        }
      : {}),
  };
}
