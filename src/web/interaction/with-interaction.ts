// Owns: the middleware every /interaction/:uid/... route starts with: the live interaction in
// ctx.state.interaction, or the friendly "this sign-in expired" page (400) when it is gone.
import type { Next, ParameterizedContext } from 'koa';
import type { Deps } from '../../deps.ts';
import { renderPage } from '../pages/render.ts';
import { loadInteraction, type LoadedInteraction } from './interaction-state.ts';

export function withInteraction(deps: Pick<Deps, 'runtime'>) {
  return async function withInteraction(ctx: ParameterizedContext<{ interaction: LoadedInteraction }>, next: Next) {
    const loaded = await loadInteraction(deps, ctx);
    if (!loaded) {
      renderPage(ctx, 'message', { titleKey: 'pages:expired.title', messageKey: 'pages:expired.message', backHref: '/account', backKey: 'pages:expired.back' }, { status: 400 });
      return;
    }
    ctx.state.interaction = loaded;
    await next();
  };
}
