// Owns: what the sign-in and sign-up pages show for social sign-in (views/partials/social-sign-in.ejs):
// one "Continue with NAME" link per enabled connection, its mark from our own static files,
// the message of a sign-in that came back without a person, and, inside Facebook's and
// Instagram's in-app browsers (where Google refuses to sign anyone in: disallowed_useragent),
// an "open in your browser" hint instead of the Google button.
import type { Context } from 'koa';
import { CONNECTION_ERROR_CODES, enabledConnections, MARKS, type ConnectionErrorCode } from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import { runtimeKey } from '../../i18n/i18n.ts';
import type { Translate } from '../../i18n/keys.ts';
import { interactionPath } from '../interaction/interaction-state.ts';
import { assetHref } from '../pages/assets.ts';

export type SocialButton = { href: string; label: string; mark: string; name: string };
export type SocialSignIn = { buttons: SocialButton[]; inAppHint: boolean; alert?: string };

/** Facebook (FBAN/FBAV/FB_IAB), Messenger, Instagram in-app browsers. */
const IN_APP = /\b(FBAN|FBAV|FB_IAB|FBIOS|FB4A|Messenger|Instagram)\b/i;
export const isInAppBrowser = (userAgent: string) => IN_APP.test(userAgent);

export const connectionErrorText = (t: Translate, code: ConnectionErrorCode, name = '') =>
  t([runtimeKey(`connections:errors.${code}`), 'connections:errors.failed'], { name });

export function errorCodeOf(v: unknown): ConnectionErrorCode | undefined {
  return typeof v === 'string' && (CONNECTION_ERROR_CODES as readonly string[]).includes(v) ? (v as ConnectionErrorCode) : undefined;
}

export async function socialSignIn(deps: Pick<Deps, 'db'>, ctx: Context, uid: string, t: Translate): Promise<SocialSignIn> {
  const inApp = isInAppBrowser(ctx.get('user-agent'));
  const rows = await enabledConnections(deps.db);
  const code = errorCodeOf(ctx.query['connection_error']);
  return {
    buttons: rows
      .filter((r) => !(inApp && r.type === 'google'))
      .map((r) => ({ href: interactionPath(uid, `/connections/${encodeURIComponent(r.id)}`), label: t('connections:continue_with', { name: r.name }), mark: assetHref(MARKS[r.type]), name: r.name })),
    inAppHint: inApp && rows.some((r) => r.type === 'google'),
    ...(code ? { alert: connectionErrorText(t, code) } : {}),
  };
}
