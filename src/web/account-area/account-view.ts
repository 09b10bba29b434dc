// Owns: turning an account, its sessions and its apps into what the account page lists, in
// the page's language.
import type { Translate } from '../../i18n/i18n.ts';
import { displayName, type Account } from '../../accounts/index.ts';
import { ACCOUNT_CLIENT_ID, getClient } from '../../clients/clients.ts';
import type { Db } from '../../db/connect.ts';
import { translator } from '../../i18n/i18n.ts';
import type { AccountGrant, AccountSession } from '../../oidc/account-sessions.ts';
import { isKnownScope } from '../../oidc/scopes.ts';

// Numbers only, in Samoa's time: no month names that would need translating per language.
const when = (epochSeconds: number | undefined) =>
  epochSeconds
    ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Pacific/Apia' }).format(epochSeconds * 1000)
    : '';

export function profileRows(t: Translate, a: Account): { label: string; value: string }[] {
  const verified = (ok: boolean) => (ok ? t('pages:account.verified') : t('pages:account.not_verified'));
  const rows: [string, string | null | undefined][] = [
    [t('pages:account.name'), displayName(a)],
    [t('pages:register.matai_title'), a.matai_title],
    [t('pages:profile.preferred_name'), a.preferred_name],
    [t('pages:register.email'), a.email && `${a.email} (${verified(a.email_verified)})`],
    [t('pages:register.phone_number'), a.phone_number && `${a.phone_number} (${verified(a.phone_number_verified)})`],
    [t('pages:profile.village'), a.village],
    [t('pages:profile.district'), a.district],
    [t('pages:register.locale'), translator(a.locale)('language_name')],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]).map(([label, value]) => ({ label, value }));
}

async function clientNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) names.set(id, (await getClient(db, id))?.client_name ?? id);
  return names;
}

function groupByClient(grants: AccountGrant[]): Map<string, AccountGrant[]> {
  const byClient = new Map<string, AccountGrant[]>();
  for (const g of grants) byClient.set(g.clientId, [...(byClient.get(g.clientId) ?? []), g]);
  return byClient;
}


export async function sessionsAndApps(
  db: Db,
  t: Translate,
  currentUid: string,
  sessions: AccountSession[],
  grants: AccountGrant[],
) {
  const names = await clientNames(db, [...sessions.flatMap((s) => s.clientIds), ...grants.map((g) => g.clientId)]);
  const appName = (id: string) => (id === ACCOUNT_CLIENT_ID ? t('pages:account.this_site') : (names.get(id) ?? id));
  return {
    sessions: sessions.map((s) => ({
      uid: s.uid,
      current: s.uid === currentUid,
      when: when(s.loginTs),
      apps: s.clientIds.map(appName).join(', '),
    })),
    // One row per app: a person may have allowed the same app from several devices.
    apps: [...groupByClient(grants.filter((g) => g.clientId !== ACCOUNT_CLIENT_ID))].map(([clientId, list]) => ({
      clientId,
      name: appName(clientId),
      what: [...new Set(list.flatMap((g) => g.scope.split(' ')))]
        .filter(isKnownScope)
        .map((s) => t(`scopes:short.${s}`))
        .join(' · '),
    })),
  };
}
