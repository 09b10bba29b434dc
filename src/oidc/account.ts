// Owns: the one oidc-provider account object (findAccount, the password grant): an enabled
// account's id and its claims. Disabled and unknown accounts are not found.
import type { Account as OidcAccount } from 'oidc-provider';
import { accountClaims, getAccount, type Account, type AccountsDeps } from '../accounts/index.ts';

export function oidcAccount(account: Account): OidcAccount {
  const claims = accountClaims(account);
  return { accountId: account.sub, claims: () => claims };
}

/** oidc-provider's findAccount: undefined for an unknown or disabled account. */
export async function findOidcAccount(deps: AccountsDeps, sub: string): Promise<OidcAccount | undefined> {
  const account = await getAccount(deps, sub).catch(() => undefined);
  return account && oidcAccount(account);
}
