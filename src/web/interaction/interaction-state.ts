// Owns: finding the interaction behind /interaction/:uid (and refusing one that does not
// belong to this browser), what the pages need to know about it (client, language, where the
// forms may end up), and finishing it.
import type { Context } from 'koa';
import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import type { Deps } from '../../deps.ts';
import { clientRequiresMfa, isFirstPartyClient } from '../../clients/clients.ts';
import { isSupportedLocale } from '../../i18n/i18n.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';
import { cspSourceFor } from '../pages/render.ts';

export type ClientInfo = { id: string; name: string; firstParty: boolean; requireMfa: boolean; redirectSources: string[] };

export type LoadedInteraction = {
  provider: Provider;
  interaction: Interaction;
  uid: string;
  client: ClientInfo;
  locale: string;
};

export const interactionPath = (uid: string, sub = '') => `/interaction/${encodeURIComponent(uid)}${sub}`;

/**
 * The interaction for this request, or undefined when it is unknown, expired, finished, or
 * not this browser's (its cookie names another uid). The page language is chosen here and
 * kept in ctx.state.locale for every page rendered afterwards.
 */
export async function loadInteraction(deps: Pick<Deps, 'runtime'>, ctx: Context): Promise<LoadedInteraction | undefined> {
  // Read per request: the provider is rebuilt when signing keys rotate.
  const provider = deps.runtime.provider;
  const uid = String(ctx.params['uid'] ?? '');
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    if ((err as { name?: string }).name === 'SessionNotFound') return undefined;
    throw err;
  }
  if (interaction.uid !== uid || interaction.result) return undefined;
  const clientId = String(interaction.params['client_id'] ?? '');
  const client = await provider.Client.find(clientId);
  if (!client) return undefined;
  const locale = negotiateLocale(ctx, interaction.params['ui_locales']);
  ctx.state['locale'] = locale;
  return {
    provider,
    interaction,
    uid,
    locale,
    client: {
      id: client.clientId,
      name: client.clientName ?? client.clientId,
      firstParty: isFirstPartyClient(client),
      requireMfa: clientRequiresMfa(client),
      redirectSources: [...new Set((client.redirectUris ?? []).map(cspSourceFor).filter((s): s is string => !!s))],
    },
  };
}

/**
 * The person picked a language on an interaction page. ui_locales (the app's wish) outranks
 * the cookie in negotiateLocale, so the choice is also written into the interaction's stored
 * parameters: the rest of this flow (consent, and oidc-provider's resume) follows it.
 */
export async function chooseInteractionLocale(loaded: LoadedInteraction, code: string): Promise<void> {
  if (!isSupportedLocale(code)) return;
  loaded.interaction.params['ui_locales'] = code;
  await loaded.interaction.persist();
  loaded.locale = code;
}

/**
 * Records the result and sends the browser back to oidc-provider (303: the form was a POST).
 * A flow started with prompt=create carries `create` in every result: oidc-provider treats a
 * requested prompt as pending until the current result names it, and each step (sign-up,
 * then consent) is a separate interaction.
 */
export async function finishInteraction(ctx: Context, loaded: LoadedInteraction, result: InteractionResults): Promise<void> {
  const full = !('error' in result) && wantsSignUp(loaded.interaction) ? { ...result, create: {} } : result;
  // A consent result keeps the sign-in it follows: prompt=login and max_age are checked
  // against the login in the result, and without it the person would be asked to sign in
  // again after every consent, forever. A sign-in always starts afresh.
  const merge = 'consent' in full && !('login' in full);
  const returnTo = await loaded.provider.interactionResult(ctx.req, ctx.res, full, { mergeWithLastSubmission: merge });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/**
 * Whether this interaction asks for sign-up rather than sign-in: `prompt=create` (Initiating
 * User Registration via OpenID Connect 1.0), which oidc-provider reports either as a prompt
 * named "create" (when the policy has one) or inside params.prompt.
 */
export function wantsSignUp(interaction: Interaction): boolean {
  if (interaction.prompt.name === 'create') return true;
  const prompt = interaction.params['prompt'];
  return typeof prompt === 'string' && prompt.split(' ').includes('create');
}

/** The account currently signed in to oidc-provider in this flow, if any. */
export const sessionAccountId = (interaction: Interaction) => interaction.session?.accountId;
