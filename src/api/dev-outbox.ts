// Owns: GET /dev/outbox, the development mailbox: the newest messages (with their links and
// codes), as a page or as JSON. Not routed at all when NODE_ENV=production.
import type Router from '@koa/router';
import type { AppDeps } from '../app.ts';
import { listOutbox } from '../messaging/index.ts';
import { renderPage } from '../views/render.ts';

export function addDevOutboxRoute(router: Router, deps: AppDeps): void {
  if (deps.config.env === 'production') return;
  router.get('/dev/outbox', async (ctx) => {
    const to = typeof ctx.query['to'] === 'string' && ctx.query['to'] ? ctx.query['to'] : undefined;
    const messages = await listOutbox(deps.db, deps.box, { limit: 50, ...(to ? { to } : {}) });
    if (ctx.accepts(['html', 'json']) === 'json') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { messages };
      return;
    }
    renderPage(ctx, 'api-outbox', { titleKey: 'api:pages.outbox.title', messages });
  });
}
