// Owns: how an account becomes OpenID Connect claims. Standard claim names where OIDC Core
// has one; our extra profile fields under collision-resistant (URI) names. Which scope
// releases which claim is the protocol's list (src/oidc/scopes.ts).
import { CLAIM_NS } from '../oidc/scopes.ts';
import type { Account } from './types.ts';

/** Full display name: matai title first, as it is said in Samoa, then given and family names. */
export function displayName(a: Pick<Account, 'matai_title' | 'given_name' | 'family_name'>): string {
  return [a.matai_title, a.given_name, a.family_name].filter(Boolean).join(' ');
}

/** Every claim the account can give; oidc-provider filters them by granted scopes and claims. */
export function accountClaims(a: Account): Record<string, unknown> & { sub: string } {
  const claims: Record<string, unknown> & { sub: string } = {
    sub: a.sub,
    name: displayName(a),
    given_name: a.given_name,
    family_name: a.family_name ?? undefined,
    nickname: a.preferred_name ?? undefined,
    locale: a.locale,
    updated_at: Math.floor(a.updated_at.getTime() / 1000),
    [`${CLAIM_NS}matai_title`]: a.matai_title ?? undefined,
    [`${CLAIM_NS}village`]: a.village ?? undefined,
    [`${CLAIM_NS}district`]: a.district ?? undefined,
  };
  if (a.email) Object.assign(claims, { email: a.email, email_verified: a.email_verified });
  if (a.phone_number) Object.assign(claims, { phone_number: a.phone_number, phone_number_verified: a.phone_number_verified });
  return claims;
}
