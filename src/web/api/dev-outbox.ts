// Owns: GET /dev/outbox, the development mailbox: the newest messages (with their links and
// codes), as a page or as JSON. Not routed at all when NODE_ENV=production.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { listOutbox } from '../../messaging/index.ts';
import { renderPage } from '../pages/render.ts';
import type { ApiRoutes } from './route.ts';

const outboxQuery = z.object({ to: z.string().optional().describe('Only messages to this recipient.') });

export function addDevOutboxRoute(api: ApiRoutes, deps: Pick<Deps, 'db' | 'box'>): void {
  api.add(
    {
      method: 'get',
      path: '/dev/outbox',
      tags: ['Development'],
      summary: 'Messages in the dev outbox (not in production)',
      query: outboxQuery,
      dev: true,
      responses: { '200': { description: 'Newest first (JSON with Accept: application/json, else a page)', body: z.looseObject({}) }, '404': { description: 'In production' } },
    },
    async (ctx, { query }) => {
      const to = query.to || undefined;
      const messages = await listOutbox(deps.db, deps.box, { limit: 50, ...(to ? { to } : {}) });
      if (ctx.accepts(['html', 'json']) === 'json') {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { messages };
        return;
      }
      renderPage(ctx, 'api-outbox', { titleKey: 'api:pages.outbox.title', messages });
    },
  );
}
