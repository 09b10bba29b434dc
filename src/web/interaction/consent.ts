// Owns: what a consent screen lists (the missing scopes and claims, in plain words) and the
// grant recorded when the person allows it (and its audit event), and who is asking (the app's
// branding, so that a person can judge: logo, web address, privacy policy, terms).
import type { Context } from 'koa';
import { originOf, recordAudit } from '../../audit/index.ts';
import { getClientBranding, initialOf, webAddressOf } from '../../clients/index.ts';
import type { Db } from '../../db/connect.ts';
import type { Deps } from '../../deps.ts';
import type { Translate } from '../../i18n/i18n.ts';
import { isKnownScope } from '../../oidc/scopes.ts';
import type { LoadedInteraction } from './interaction-state.ts';

type ConsentDetails = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

const detailsOf = (loaded: LoadedInteraction) => (loaded.interaction.prompt.details ?? {}) as ConsentDetails;

/** One plain sentence per thing the app asks for, in the page's language. */
export function consentLines(loaded: LoadedInteraction, t: Translate): string[] {
  const d = detailsOf(loaded);
  const lines = (d.missingOIDCScope ?? []).map((scope) =>
    isKnownScope(scope) ? t(`scopes:${scope}`) : t('scopes:other', { scope }),
  );
  if (d.missingOIDCClaims?.length) lines.push(t('scopes:claims', { claims: d.missingOIDCClaims.join(', ') }));
  for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
    lines.push(t('scopes:api', { api: resource, scopes: scopes.join(', ') }));
  }
  return lines;
}

/** Saves a grant with everything the consent screen listed; returns its id. */
export async function grantConsent(loaded: LoadedInteraction, accountId: string): Promise<string> {
  const { provider, interaction, client } = loaded;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  // Never extend a grant that belongs to someone else (an account switch happened).
  const grant =
    existing && existing.accountId === accountId && existing.clientId === client.id
      ? existing
      : new provider.Grant({ accountId, clientId: client.id });
  const d = detailsOf(loaded);
  if (d.missingOIDCScope?.length) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims?.length) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

/**
 * The consent_given event: what the person allowed, for which app. The grant itself is written
 * by oidc-provider's adapter (no transaction of ours to share), so the event follows its save.
 */
export async function recordConsent(db: Db, ctx: Context, loaded: LoadedInteraction, accountId: string): Promise<void> {
  const d = detailsOf(loaded);
  await recordAudit(db, {
    type: 'consent_given',
    accountSub: accountId,
    clientId: loaded.client.id,
    origin: originOf(ctx),
    details: { scopes: d.missingOIDCScope ?? [], claims: d.missingOIDCClaims ?? [], apis: d.missingResourceScopes ?? {} },
  });
}

export type ConsentBranding = {
  /** Our own URL of the stored logo; without one the page shows `initial`. */
  logoHref: string | null;
  initial: string;
  webAddress: { href: string; host: string } | undefined;
  policyUri: string | null;
  tosUri: string | null;
};

/** What the consent page shows of the app (views/partials/client-brand.ejs, client-links.ejs). */
export async function consentBranding(deps: Pick<Deps, 'db'>, loaded: LoadedInteraction): Promise<ConsentBranding> {
  const b = await getClientBranding(deps.db, loaded.client.id);
  return {
    logoHref: b?.logo_href ?? null,
    initial: initialOf(loaded.client.name),
    webAddress: webAddressOf(b?.client_uri ?? null, loaded.interaction.params['redirect_uri']),
    policyUri: b?.policy_uri ?? null,
    tosUri: b?.tos_uri ?? null,
  };
}
